// HTTP: placeholder until its first type lands.
