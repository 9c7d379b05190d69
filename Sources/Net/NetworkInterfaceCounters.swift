/// What a `NetworkInterface` did with the frames it saw: one counter for every way a frame or
/// datagram can be dropped, so that no loss goes unexplained.
public struct NetworkInterfaceCounters: Equatable, Sendable {
  /// Frames passed to `receive`.
  public var framesReceived = 0
  /// Frames handed out by `transmit`.
  public var framesTransmitted = 0
  /// Frames too short or otherwise unreadable as Ethernet II (VLAN and 802.3 frames too).
  public var ethernetMalformed = 0
  /// Frames to another MAC address or a multicast group not joined.
  public var ethernetNotForUs = 0
  /// Frames with an EtherType other than IPv4 and ARP (IPv6 among them).
  public var ethernetUnsupportedType = 0
  /// ARP packets that did not parse.
  public var arpMalformed = 0
  /// ARP packets claiming our own address from another MAC address.
  public var arpAddressConflicts = 0
  /// ARP requests for our address that were answered.
  public var arpRepliesSent = 0
  /// ARP requests broadcast to resolve a next hop (gratuitous announcements included).
  public var arpRequestsSent = 0
  /// IPv4 headers that did not parse, other than by checksum.
  public var ipv4Malformed = 0
  /// IPv4 headers whose checksum failed.
  public var ipv4BadChecksum = 0
  /// Datagrams for another address, or received before the interface had one.
  public var ipv4NotForUs = 0
  /// Datagrams from a broadcast or multicast source, which no host can be.
  public var ipv4InvalidSource = 0
  /// Fragments the reassembler discarded (overlaps, inconsistencies, limits).
  public var ipv4FragmentsDropped = 0
  /// Datagrams of a protocol other than ICMP and UDP.
  public var ipv4UnsupportedProtocol = 0
  /// ICMP messages that did not parse, other than by checksum.
  public var icmpMalformed = 0
  /// ICMP messages whose checksum failed.
  public var icmpBadChecksum = 0
  /// Echo requests answered.
  public var icmpEchoRequestsAnswered = 0
  /// Echo requests to a broadcast or multicast address, ignored as most hosts do.
  public var icmpEchoRequestsIgnored = 0
  /// Echo replies dropped because the queue of unread replies was full.
  public var icmpEchoRepliesDropped = 0
  /// ICMP messages of other types, which nothing here acts on.
  public var icmpOtherReceived = 0
  /// ICMP errors whose quoted datagram did not parse (not IPv4, bad lengths, a later fragment).
  public var icmpErrorQuotationMalformed = 0
  /// ICMP errors about no datagram of an open socket: sent to a broadcast or group address,
  /// quoting another source address or protocol, or ports no connection or socket has.
  public var icmpErrorsUnmatched = 0
  /// ICMP errors quoting a TCP sequence number not in flight, ignored (RFC 5927 section 4.1).
  public var icmpErrorsOutsideWindow = 0
  /// Hard ICMP errors (protocol or port unreachable) that ended a connection in SYN-SENT.
  public var icmpTCPConnectionsAborted = 0
  /// Soft ICMP errors noted on a TCP connection, which carries on.
  public var icmpTCPSoftErrors = 0
  /// "Fragmentation needed" messages that lowered a TCP connection's segment size.
  public var icmpPathMTUReductions = 0
  /// "Fragmentation needed" messages that changed nothing (the size already that small).
  public var icmpPathMTUUnchanged = 0
  /// ICMP errors recorded on the UDP socket that sent the quoted datagram.
  public var icmpUDPErrors = 0
  /// UDP datagrams that did not parse, other than by checksum.
  public var udpMalformed = 0
  /// UDP datagrams whose checksum failed.
  public var udpBadChecksum = 0
  /// UDP datagrams to a port no socket is bound to (answered with port unreachable if unicast).
  public var udpNoSocket = 0
  /// UDP datagrams dropped because their socket's queue was full.
  public var udpQueueFull = 0
  /// Outgoing datagrams with no route (no address yet, or off-subnet with no gateway).
  public var noRoute = 0
  /// Outgoing datagrams dropped because the ARP cache's queue for their next hop was full.
  public var arpQueueFull = 0
  /// Outgoing datagrams dropped because their next hop never answered ARP.
  public var arpUnresolved = 0
  /// Outgoing frames dropped because the transmit queue was full.
  public var transmitQueueFull = 0

  /// All zero.
  public init() {}
  /// TCP segments received whole and well-formed.
  public var tcpSegmentsReceived = 0
  /// TCP segments sent.
  public var tcpSegmentsSent = 0
  /// TCP segments too short, with a bad data offset or options, or not unicast.
  public var tcpMalformed = 0
  /// TCP segments whose checksum was wrong.
  public var tcpBadChecksum = 0
  /// TCP segments for no connection, TIME-WAIT entry or listener.
  public var tcpNoSocket = 0
  /// Resets sent.
  public var tcpResetsSent = 0
  /// Connections created (active and passive).
  public var tcpConnectionsOpened = 0
  /// SYN-ACKs sent as SYN cookies because a backlog or the table was full.
  public var tcpSYNCookiesSent = 0
  /// Connections made from a returned SYN cookie.
  public var tcpSYNCookiesAccepted = 0
}
