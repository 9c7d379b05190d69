/// An ARP packet (RFC 826) for the one case the stack needs: IPv4 addresses over Ethernet.
///
/// ARP is the payload of an Ethernet frame and carries nothing after itself, so `parse` returns
/// the packet alone (ignoring the frame's padding) and `emit` takes no payload.
public struct ARPPacket: Hashable, Sendable {
  /// What the packet asks or answers.
  public enum Operation: UInt16, Hashable, Sendable {
    /// "Who has `targetProtocolAddress`? Tell `senderProtocolAddress`."
    case request = 1
    /// "`senderProtocolAddress` is at `senderHardwareAddress`."
    case reply = 2
  }

  /// Request or reply.
  public var operation: Operation
  /// The sender's MAC address.
  public var senderHardwareAddress: MACAddress
  /// The sender's IPv4 address (0.0.0.0 in an ARP probe, RFC 5227).
  public var senderProtocolAddress: IPv4Address
  /// The target's MAC address; ignored (conventionally zero) in a request.
  public var targetHardwareAddress: MACAddress
  /// The IPv4 address asked about, or the requester's in a reply.
  public var targetProtocolAddress: IPv4Address

  /// The packet's size for Ethernet and IPv4.
  public static let length = 28
  /// The hardware type of Ethernet.
  static let ethernetHardwareType: UInt16 = 1
  /// The fixed part every ARP packet starts with: types, address lengths, operation.
  static let fixedLength = 8

  /// A packet with these fields.
  public init(
    operation: Operation, senderHardwareAddress: MACAddress, senderProtocolAddress: IPv4Address,
    targetHardwareAddress: MACAddress, targetProtocolAddress: IPv4Address
  ) {
    self.operation = operation
    self.senderHardwareAddress = senderHardwareAddress
    self.senderProtocolAddress = senderProtocolAddress
    self.targetHardwareAddress = targetHardwareAddress
    self.targetProtocolAddress = targetProtocolAddress
  }

  /// Reads an ARP packet; other hardware or protocol types and other operations (RARP,
  /// InARP) are `.unsupported`, and bytes after the packet are ignored.
  public static func parse(_ bytes: ArraySlice<UInt8>) throws(WireError) -> ARPPacket {
    guard bytes.count >= fixedLength else {
      throw .truncated(protocol: "ARP", needed: fixedLength, available: bytes.count)
    }
    let hardwareType = bytes.bigEndianUInt16(at: 0)
    let protocolType = bytes.bigEndianUInt16(at: 2)
    guard hardwareType == ethernetHardwareType else {
      throw .unsupported(protocol: "ARP", reason: "hardware type \(hardwareType)")
    }
    guard protocolType == EtherType.ipv4.rawValue else {
      throw .unsupported(protocol: "ARP", reason: "protocol type \(protocolType)")
    }
    guard bytes.byte(at: 4) == 6, bytes.byte(at: 5) == 4 else {
      throw .malformed(protocol: "ARP", reason: "address lengths are not 6 and 4")
    }
    let operationCode = bytes.bigEndianUInt16(at: 6)
    guard let operation = Operation(rawValue: operationCode) else {
      throw .unsupported(protocol: "ARP", reason: "operation \(operationCode)")
    }
    guard bytes.count >= length else {
      throw .truncated(protocol: "ARP", needed: length, available: bytes.count)
    }
    let start = bytes.startIndex
    return ARPPacket(
      operation: operation,
      senderHardwareAddress: MACAddress(bytes[(start + 8)...]),
      senderProtocolAddress: IPv4Address(bytes.bigEndianUInt32(at: 14)),
      targetHardwareAddress: MACAddress(bytes[(start + 18)...]),
      targetProtocolAddress: IPv4Address(bytes.bigEndianUInt32(at: 24)))
  }

  /// Appends the 28-byte packet.
  public func emit(into buffer: inout [UInt8]) {
    buffer.appendFields(count: 28) { fields in
      fields.write(ARPPacket.ethernetHardwareType)
      fields.write(EtherType.ipv4.rawValue)
      fields.write(UInt8(6))  // hardware address length
      fields.write(UInt8(4))  // protocol address length
      fields.write(operation.rawValue)
      fields.write(senderHardwareAddress)
      fields.write(senderProtocolAddress.value)
      fields.write(targetHardwareAddress)
      fields.write(targetProtocolAddress.value)
    }
  }
}
