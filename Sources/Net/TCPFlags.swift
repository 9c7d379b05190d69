/// The control bits of a TCP header (RFC 9293 section 3.1, RFC 3168 for ECE and CWR), as they
/// sit in the header's fourteenth byte.
public struct TCPFlags: OptionSet, Hashable, Sendable, CustomStringConvertible {
  /// The bits, FIN in the lowest.
  public var rawValue: UInt8

  /// The flags with these bits.
  public init(rawValue: UInt8) {
    self.rawValue = rawValue
  }

  /// No more data from the sender.
  public static let fin = TCPFlags(rawValue: 1 << 0)
  /// Synchronize sequence numbers: the first segment of each direction.
  public static let syn = TCPFlags(rawValue: 1 << 1)
  /// Reset the connection.
  public static let rst = TCPFlags(rawValue: 1 << 2)
  /// Push: deliver the data to the application now.
  public static let psh = TCPFlags(rawValue: 1 << 3)
  /// The acknowledgement number is significant.
  public static let ack = TCPFlags(rawValue: 1 << 4)
  /// The urgent pointer is significant.
  public static let urg = TCPFlags(rawValue: 1 << 5)
  /// ECN echo: the receiver saw congestion (RFC 3168).
  public static let ece = TCPFlags(rawValue: 1 << 6)
  /// Congestion window reduced: the sender reacted to an ECN echo (RFC 3168).
  public static let cwr = TCPFlags(rawValue: 1 << 7)

  /// Why no segment may carry these flags together, or nil when they are a possible
  /// combination. SYN opens a connection while FIN and RST end one, so SYN with either is
  /// contradictory; such segments are scans or attacks, never sent by a correct TCP.
  public var contradiction: String? {
    if contains([.syn, .fin]) { return "SYN with FIN" }
    if contains([.syn, .rst]) { return "SYN with RST" }
    return nil
  }

  /// The set flags by name, such as `SYN|ACK`, or `none`.
  public var description: String {
    let names = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"]
    var text = ""
    for (bit, name) in names.enumerated() where rawValue & (1 << bit) != 0 {
      text += text.isEmpty ? name : "|" + name
    }
    return text.isEmpty ? "none" : text
  }
}
