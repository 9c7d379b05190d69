extension NetworkInterface {
  /// Joins an IPv4 multicast group, so that datagrams to it are received; false if `group` is
  /// not a multicast address or the interface is in `maximumMulticastGroups` groups already.
  /// (Membership is local only: no IGMP reports are sent yet.)
  public mutating func joinMulticastGroup(_ group: IPv4Address) -> Bool {
    guard group.isMulticast else { return false }
    if multicastGroups.contains(group) { return true }
    guard multicastGroups.count < configuration.maximumMulticastGroups else { return false }
    multicastGroups.append(group)
    return true
  }

  /// Leaves a group joined before.
  public mutating func leaveMulticastGroup(_ group: IPv4Address) {
    multicastGroups.removeAll { $0 == group }
  }

  /// The Ethernet address datagrams to an IPv4 multicast group go to (RFC 1112 section 6.4):
  /// 01:00:5e followed by the group's low 23 bits.
  public static func macAddress(ofGroup group: IPv4Address) -> MACAddress {
    precondition(group.isMulticast, "a multicast group")
    return MACAddress(
      0x01, 0x00, 0x5E, UInt8(truncatingIfNeeded: group.value >> 16) & 0x7F,
      UInt8(truncatingIfNeeded: group.value >> 8), UInt8(truncatingIfNeeded: group.value))
  }
}
