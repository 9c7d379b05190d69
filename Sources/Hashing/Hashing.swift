// Hashing: placeholder until its first type lands.
