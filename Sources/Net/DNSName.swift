/// A domain name (RFC 1035 section 3.1): a sequence of labels such as `hub`, `local`, ending at
/// the root.
///
/// The limits are the protocol's: a label holds 1 to 63 bytes, and the whole name, written on
/// the wire as length-prefixed labels plus the root's zero byte, holds at most 255 bytes.
/// Comparison and hashing ignore ASCII case (RFC 4343): `Hub.LOCAL` equals `hub.local`. The labels
/// keep the case they were given, since a response should echo the question's spelling.
public struct DNSName: Hashable, Sendable, CustomStringConvertible {
  /// The most bytes in one label.
  public static let maximumLabelLength = 63
  /// The most bytes in a name written uncompressed on the wire, the root's zero byte included.
  public static let maximumWireLength = 255

  /// The labels from the most specific to the top level: `["hub", "local"]`. Empty for the root.
  public let labels: [[UInt8]]

  /// The root name, written `.`.
  public static let root = DNSName(validatedLabels: [])

  /// The name with these labels; nil if a label is empty or too long, or the name is too long.
  public init?(labels: [[UInt8]]) {
    guard DNSName.isValid(labels: labels) else { return nil }
    self.labels = labels
  }

  /// Reads dotted text such as `hub.local` (a trailing dot, as in `hub.local.`, is allowed);
  /// `.` alone is the root. Nil for empty labels (`a..b`) or when a limit is broken.
  /// Every byte other than `.` is taken as it is; there are no escapes.
  public init?(_ text: String) {
    guard !text.isEmpty else { return nil }
    var parts = text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
    if parts.last?.isEmpty == true { parts.removeLast() }
    if text == "." { parts = [] }
    self.init(labels: parts.map { Array($0) })
  }

  private init(validatedLabels: [[UInt8]]) {
    labels = validatedLabels
  }

  /// Whether `labels` keep the label and name limits.
  static func isValid(labels: [[UInt8]]) -> Bool {
    var length = 1
    for label in labels {
      guard !label.isEmpty, label.count <= maximumLabelLength else { return false }
      length += 1 + label.count
    }
    return length <= maximumWireLength
  }

  /// The bytes the name takes on the wire without compression: each label with its length byte,
  /// then the root's zero byte.
  public var wireLength: Int {
    labels.reduce(1) { $0 + 1 + $1.count }
  }

  /// This name with `label` put in front (`hub` before `local` gives `hub.local`); nil if a
  /// limit would be broken.
  public func prepending(_ label: [UInt8]) -> DNSName? {
    DNSName(labels: [label] + labels)
  }

  /// The name without its first `count` labels: the parent domains, down to the root.
  func dropping(first count: Int) -> DNSName {
    DNSName(validatedLabels: Array(labels.dropFirst(count)))
  }

  public static func == (lhs: DNSName, rhs: DNSName) -> Bool {
    guard lhs.labels.count == rhs.labels.count else { return false }
    for (left, right) in zip(lhs.labels, rhs.labels) {
      guard left.count == right.count else { return false }
      for (a, b) in zip(left, right) where asciiLowercase(a) != asciiLowercase(b) {
        return false
      }
    }
    return true
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(labels.count)
    for label in labels {
      hasher.combine(label.count)
      for byte in label { hasher.combine(DNSName.asciiLowercase(byte)) }
    }
  }

  /// The name as dotted text with a trailing dot left off (`hub.local`); `.` for the root.
  /// Bytes that are not printable ASCII, and dots inside a label, appear as `\DDD`.
  public var description: String {
    guard !labels.isEmpty else { return "." }
    var text: [UInt8] = []
    for label in labels {
      if !text.isEmpty { text.append(UInt8(ascii: ".")) }
      for byte in label {
        if byte > 0x20, byte < 0x7F, byte != UInt8(ascii: "."), byte != UInt8(ascii: "\\") {
          text.append(byte)
        } else {
          text.append(UInt8(ascii: "\\"))
          text.append(0x30 + byte / 100)
          text.append(0x30 + byte / 10 % 10)
          text.append(0x30 + byte % 10)
        }
      }
    }
    return String(decoding: text, as: UTF8.self)
  }

  /// `byte` with `A`-`Z` folded to `a`-`z`; DNS compares names in ASCII only.
  static func asciiLowercase(_ byte: UInt8) -> UInt8 {
    byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
  }
}
