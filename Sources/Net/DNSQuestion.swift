/// One entry of a message's question section: the name, type and class asked about.
public struct DNSQuestion: Hashable, Sendable, CustomStringConvertible {
  /// The name asked about.
  public var name: DNSName
  /// The type asked for; `.any` asks for all.
  public var type: DNSRecordType
  /// The class asked for, almost always `.internet`.
  public var recordClass: DNSRecordClass
  /// Multicast DNS only: the top bit of QCLASS, asking for a unicast response (a "QU"
  /// question, RFC 6762 section 5.4). Unicast DNS leaves it clear.
  public var unicastResponse: Bool

  /// A question; class Internet and multicast response ("QM") unless said otherwise.
  public init(
    name: DNSName, type: DNSRecordType, recordClass: DNSRecordClass = .internet,
    unicastResponse: Bool = false
  ) {
    self.name = name
    self.type = type
    self.recordClass = recordClass
    self.unicastResponse = unicastResponse
  }

  /// Reads a question at the reader's position.
  static func read(from reader: inout DNSMessageReader) throws(WireError) -> DNSQuestion {
    let name = try reader.readName()
    let type = DNSRecordType(rawValue: try reader.readUInt16())
    let classField = try reader.readUInt16()
    return DNSQuestion(
      name: name, type: type, recordClass: DNSRecordClass(rawValue: classField & 0x7FFF)!,
      unicastResponse: classField & 0x8000 != 0)
  }

  /// Appends the question.
  func write(to writer: inout DNSMessageWriter) {
    writer.writeName(name)
    writer.writeUInt16(type.rawValue)
    writer.writeUInt16(recordClass.rawValue | (unicastResponse ? 0x8000 : 0))
  }

  public var description: String {
    "\(name) \(recordClass) \(type)\(unicastResponse ? " QU" : "")"
  }
}
