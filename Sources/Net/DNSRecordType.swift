/// The TYPE (in a record) or QTYPE (in a question) field: what kind of data a record holds.
/// Any 16-bit value may appear; the ones this stack interprets have names.
public struct DNSRecordType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
  /// The number on the wire.
  public var rawValue: UInt16

  /// The type with this number.
  public init(rawValue: UInt16) {
    self.rawValue = rawValue
  }

  /// An IPv4 address (RFC 1035).
  public static let a = DNSRecordType(rawValue: 1)
  /// The canonical name this name is an alias of (RFC 1035).
  public static let cname = DNSRecordType(rawValue: 5)
  /// The start of a zone of authority; negative answers carry one (RFC 2308).
  public static let soa = DNSRecordType(rawValue: 6)
  /// A pointer to another name, used for reverse lookups and service discovery (RFC 1035).
  public static let ptr = DNSRecordType(rawValue: 12)
  /// Text strings (RFC 1035; DNS-SD keeps key=value pairs in them, RFC 6763).
  public static let txt = DNSRecordType(rawValue: 16)
  /// An IPv6 address (RFC 3596).
  public static let aaaa = DNSRecordType(rawValue: 28)
  /// The host and port of a service (RFC 2782).
  public static let srv = DNSRecordType(rawValue: 33)
  /// In a question only: every type the name has (QTYPE `*`).
  public static let any = DNSRecordType(rawValue: 255)

  public var description: String {
    switch self {
    case .a: return "A"
    case .cname: return "CNAME"
    case .soa: return "SOA"
    case .ptr: return "PTR"
    case .txt: return "TXT"
    case .aaaa: return "AAAA"
    case .srv: return "SRV"
    case .any: return "ANY"
    default: return "TYPE\(rawValue)"
    }
  }
}

/// The CLASS field's low 15 bits: the protocol family of a record, in practice always Internet.
///
/// Multicast DNS takes the class field's top bit for another meaning (RFC 6762 sections 5.4 and
/// 10.2), so the class itself is 15 bits and the bit travels separately, as
/// `DNSQuestion.unicastResponse` and `DNSResourceRecord.cacheFlush`.
public struct DNSRecordClass: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
  /// The class number, 0 to 0x7FFF.
  public let rawValue: UInt16

  /// The class with this number; nil if it uses the top bit.
  public init?(rawValue: UInt16) {
    guard rawValue & 0x8000 == 0 else { return nil }
    self.rawValue = rawValue
  }

  /// The Internet (IN).
  public static let internet = DNSRecordClass(rawValue: 1)!
  /// In a question only: any class (QCLASS `*`).
  public static let any = DNSRecordClass(rawValue: 255)!

  public var description: String {
    switch self {
    case .internet: return "IN"
    case .any: return "ANY"
    default: return "CLASS\(rawValue)"
    }
  }
}

/// The RCODE field of a response: whether the server answered, and if not, why.
public struct DNSResponseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
  /// The number on the wire, 0 to 15.
  public let rawValue: UInt8

  /// The code with this number; nil above 15.
  public init?(rawValue: UInt8) {
    guard rawValue < 16 else { return nil }
    self.rawValue = rawValue
  }

  /// No error (NOERROR).
  public static let noError = DNSResponseCode(rawValue: 0)!
  /// The server could not read the query (FORMERR).
  public static let formatError = DNSResponseCode(rawValue: 1)!
  /// The server failed to answer (SERVFAIL).
  public static let serverFailure = DNSResponseCode(rawValue: 2)!
  /// The name does not exist (NXDOMAIN), said with authority.
  public static let nameError = DNSResponseCode(rawValue: 3)!
  /// The server does not do this kind of query (NOTIMP).
  public static let notImplemented = DNSResponseCode(rawValue: 4)!
  /// The server will not answer (REFUSED).
  public static let refused = DNSResponseCode(rawValue: 5)!

  public var description: String {
    let names = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"]
    return Int(rawValue) < names.count ? names[Int(rawValue)] : "RCODE\(rawValue)"
  }
}
