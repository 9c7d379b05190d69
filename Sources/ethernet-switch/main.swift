// The rootless virtual Ethernet segment's switch; written next.
