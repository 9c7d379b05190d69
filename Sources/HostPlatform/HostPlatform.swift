// HostPlatform: placeholder until its first type lands.
