/// An Ethernet (IEEE 802) MAC address.
public struct MACAddress: Hashable, Sendable, CustomStringConvertible {
  /// The six bytes in transmission order.
  public var bytes: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8)

  /// The address with these six bytes.
  public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8, _ e: UInt8, _ f: UInt8) {
    bytes = (a, b, c, d, e, f)
  }

  /// The address in the first six bytes of `slice`, which must hold at least six.
  public init(_ slice: ArraySlice<UInt8>) {
    precondition(slice.count >= 6, "a MAC address has six bytes")
    let start = slice.startIndex
    bytes = (
      slice[start], slice[start + 1], slice[start + 2], slice[start + 3], slice[start + 4],
      slice[start + 5]
    )
  }

  /// ff:ff:ff:ff:ff:ff.
  public static let broadcast = MACAddress(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF)

  /// The six bytes as an array.
  public var array: [UInt8] { [bytes.0, bytes.1, bytes.2, bytes.3, bytes.4, bytes.5] }

  /// Whether the group bit (the lowest bit of the first byte) is set: multicast or broadcast.
  public var isMulticast: Bool { bytes.0 & 1 == 1 }

  /// Whether the locally administered bit is set, as it must be for an address Loam makes up.
  public var isLocallyAdministered: Bool { bytes.0 & 2 == 2 }

  // Byte by byte: every received frame's destination is compared, and going through `array`
  // would allocate two arrays each time.
  public static func == (lhs: MACAddress, rhs: MACAddress) -> Bool {
    lhs.bytes.0 == rhs.bytes.0 && lhs.bytes.1 == rhs.bytes.1 && lhs.bytes.2 == rhs.bytes.2
      && lhs.bytes.3 == rhs.bytes.3 && lhs.bytes.4 == rhs.bytes.4 && lhs.bytes.5 == rhs.bytes.5
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(bytes.0)
    hasher.combine(bytes.1)
    hasher.combine(bytes.2)
    hasher.combine(bytes.3)
    hasher.combine(bytes.4)
    hasher.combine(bytes.5)
  }

  public var description: String {
    var text: [UInt8] = []
    for byte in array {
      if !text.isEmpty { text.append(UInt8(ascii: ":")) }
      text.append(hexadecimalDigits[Int(byte >> 4)])
      text.append(hexadecimalDigits[Int(byte & 0xF)])
    }
    return String(decoding: text, as: UTF8.self)
  }
}

private let hexadecimalDigits: [UInt8] = Array("0123456789abcdef".utf8)
