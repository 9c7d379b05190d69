// Readings: placeholder until its first type lands.
