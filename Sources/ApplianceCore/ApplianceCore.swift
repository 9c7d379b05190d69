// ApplianceCore: placeholder until its first type lands.
