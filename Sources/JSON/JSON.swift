// JSON: placeholder until its first type lands.
