// HubCore: placeholder until its first type lands.
