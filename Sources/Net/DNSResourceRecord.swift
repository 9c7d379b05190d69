/// The RDATA of a resource record, read according to its type. Types this stack does not
/// interpret keep their bytes as they came.
public enum DNSRecordData: Hashable, Sendable {
  /// An IPv4 address (type A).
  case a(IPv4Address)
  /// An IPv6 address, 16 bytes (type AAAA).
  case aaaa([UInt8])
  /// The canonical name of an alias (type CNAME).
  case cname(DNSName)
  /// A pointer to another name (type PTR).
  case ptr(DNSName)
  /// Character strings of up to 255 bytes each (type TXT). An empty list is written as one
  /// empty string, as RFC 6763 section 6.1 asks.
  case txt([[UInt8]])
  /// Where a service runs (type SRV, RFC 2782).
  case srv(priority: UInt16, weight: UInt16, port: UInt16, target: DNSName)
  /// A zone's start of authority (type SOA); `minimum` bounds how long negative answers may be
  /// cached (RFC 2308).
  case soa(
    primary: DNSName, mailbox: DNSName, serial: UInt32, refresh: UInt32, retry: UInt32,
    expire: UInt32, minimum: UInt32)
  /// Any other type, with its RDATA uninterpreted.
  case other(DNSRecordType, [UInt8])

  /// The record type this data belongs to.
  public var type: DNSRecordType {
    switch self {
    case .a: return .a
    case .aaaa: return .aaaa
    case .cname: return .cname
    case .ptr: return .ptr
    case .txt: return .txt
    case .srv: return .srv
    case .soa: return .soa
    case .other(let type, _): return type
    }
  }

  /// The longest TXT character string.
  public static let maximumTextLength = 255
}

/// One resource record of an answer, authority or additional section.
public struct DNSResourceRecord: Hashable, Sendable, CustomStringConvertible {
  /// The name the record is about.
  public var name: DNSName
  /// The class, almost always `.internet`.
  public var recordClass: DNSRecordClass
  /// Multicast DNS only: the top bit of CLASS, telling caches to drop older records of this
  /// name and type (RFC 6762 section 10.2). Unicast DNS leaves it clear.
  public var cacheFlush: Bool
  /// Seconds the record may be cached.
  public var timeToLive: UInt32
  /// The record's data, which also gives its type.
  public var data: DNSRecordData

  /// A record; class Internet without the cache-flush bit unless said otherwise.
  public init(
    name: DNSName, recordClass: DNSRecordClass = .internet, cacheFlush: Bool = false,
    timeToLive: UInt32, data: DNSRecordData
  ) {
    self.name = name
    self.recordClass = recordClass
    self.cacheFlush = cacheFlush
    self.timeToLive = timeToLive
    self.data = data
  }

  /// The record's type.
  public var type: DNSRecordType { data.type }

  public var description: String {
    "\(name) \(timeToLive) \(recordClass)\(cacheFlush ? " flush" : "") \(type)"
  }

  /// Reads a record at the reader's position.
  static func read(from reader: inout DNSMessageReader) throws(WireError) -> DNSResourceRecord {
    let name = try reader.readName()
    let type = DNSRecordType(rawValue: try reader.readUInt16())
    let classField = try reader.readUInt16()
    let timeToLive = try reader.readUInt32()
    let dataLength = Int(try reader.readUInt16())
    guard reader.remaining >= dataLength else {
      throw .truncated(
        protocol: DNSMessageReader.protocolName, needed: reader.offset + dataLength,
        available: reader.offset + reader.remaining)
    }
    let end = reader.offset + dataLength
    let data = try readData(type: type, length: dataLength, from: &reader)
    guard reader.offset == end else {
      throw reader.malformed("\(type) data does not fill its \(dataLength) bytes exactly")
    }
    return DNSResourceRecord(
      name: name, recordClass: DNSRecordClass(rawValue: classField & 0x7FFF)!,
      cacheFlush: classField & 0x8000 != 0, timeToLive: timeToLive, data: data)
  }

  /// Reads RDATA of `type`, `length` bytes long; the caller checks the length was used exactly.
  private static func readData(
    type: DNSRecordType, length: Int, from reader: inout DNSMessageReader
  ) throws(WireError) -> DNSRecordData {
    switch type {
    case .a where length == 4:
      return .a(IPv4Address(try reader.readUInt32()))
    case .aaaa where length == 16:
      return .aaaa(Array(try reader.readBytes(16)))
    case .cname:
      return .cname(try reader.readName())
    case .ptr:
      return .ptr(try reader.readName())
    case .txt:
      var strings: [[UInt8]] = []
      let end = reader.offset + length
      while reader.offset < end {
        let count = Int(try reader.readUInt8())
        guard reader.offset + count <= end else { throw reader.malformed("TXT string overruns") }
        strings.append(Array(try reader.readBytes(count)))
      }
      return .txt(strings)
    case .srv:
      return .srv(
        priority: try reader.readUInt16(), weight: try reader.readUInt16(),
        port: try reader.readUInt16(), target: try reader.readName())
    case .soa:
      return .soa(
        primary: try reader.readName(), mailbox: try reader.readName(),
        serial: try reader.readUInt32(), refresh: try reader.readUInt32(),
        retry: try reader.readUInt32(), expire: try reader.readUInt32(),
        minimum: try reader.readUInt32())
    case .a, .aaaa:
      throw reader.malformed("\(type) data of \(length) bytes")
    default:
      return .other(type, Array(try reader.readBytes(length)))
    }
  }

  /// Appends the record, its RDLENGTH computed from the data written.
  func write(to writer: inout DNSMessageWriter) {
    writer.writeName(name)
    writer.writeUInt16(type.rawValue)
    writer.writeUInt16(recordClass.rawValue | (cacheFlush ? 0x8000 : 0))
    writer.writeUInt32(timeToLive)
    let lengthOffset = writer.bytes.count
    writer.writeUInt16(0)
    writeData(to: &writer)
    let dataLength = writer.bytes.count - lengthOffset - 2
    precondition(dataLength <= Int(UInt16.max), "record data over 65535 bytes")
    writer.patchUInt16(UInt16(dataLength), at: lengthOffset)
  }

  /// The RDATA with names written whole, the form in which records are compared (RFC 6762
  /// section 8.2).
  var uncompressedData: [UInt8] {
    var writer = DNSMessageWriter(compressing: false)
    writeData(to: &writer)
    return writer.bytes
  }

  private func writeData(to writer: inout DNSMessageWriter) {
    switch data {
    case .a(let address):
      writer.writeUInt32(address.value)
    case .aaaa(let bytes):
      precondition(bytes.count == 16, "an IPv6 address has 16 bytes")
      writer.writeBytes(bytes)
    case .cname(let target), .ptr(let target):
      writer.writeName(target)
    case .txt(let strings):
      for string in strings.isEmpty ? [[]] : strings {
        precondition(string.count <= DNSRecordData.maximumTextLength, "TXT string too long")
        writer.writeUInt8(UInt8(string.count))
        writer.writeBytes(string)
      }
    case .srv(let priority, let weight, let port, let target):
      writer.writeUInt16(priority)
      writer.writeUInt16(weight)
      writer.writeUInt16(port)
      writer.writeName(target, compress: false)  // RFC 2782 forbids compressing the target.
    case .soa(let primary, let mailbox, let serial, let refresh, let retry, let expire, let least):
      writer.writeName(primary)
      writer.writeName(mailbox)
      for value in [serial, refresh, retry, expire, least] { writer.writeUInt32(value) }
    case .other(_, let bytes):
      writer.writeBytes(bytes)
    }
  }
}
