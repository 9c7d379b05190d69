/// A DNS message (RFC 1035 section 4): a query or a response, as unicast DNS and multicast DNS
/// (RFC 6762) both send it over UDP.
///
/// The 12-byte header holds the id, the flags and the counts of the four sections that follow:
/// questions, answers, authority records and additional records.
///
///     0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15
///     ID
///     QR Opcode      AA TC RD RA Z        RCODE
///     QDCOUNT, then ANCOUNT, NSCOUNT, ARCOUNT
///
/// `parse` rejects truncated messages, bad compression pointers, oversized labels and names, and
/// bytes left over after the last section. `emit` compresses names.
public struct DNSMessage: Hashable, Sendable {
  /// The header's length.
  public static let headerLength = 12
  /// The largest message: a UDP payload, or a DNS-over-TCP message, cannot be longer.
  public static let maximumLength = 65535

  /// Chosen by the querier and copied into the response, to match the two.
  public var id: UInt16
  /// QR: set in responses, clear in queries.
  public var isResponse: Bool
  /// The kind of query, 0 to 15; 0 is a standard query, the only one this stack makes.
  public var opcode: UInt8
  /// AA: the responder has authority for the name.
  public var isAuthoritative: Bool
  /// TC: the response was cut to fit a UDP datagram.
  public var isTruncated: Bool
  /// RD: the querier asks the server to resolve recursively.
  public var recursionDesired: Bool
  /// RA: the server resolves recursively.
  public var recursionAvailable: Bool
  /// RCODE: whether a response answers, and if not, why.
  public var responseCode: DNSResponseCode
  /// The question section.
  public var questions: [DNSQuestion]
  /// The answer section.
  public var answers: [DNSResourceRecord]
  /// The authority section (in a multicast DNS probe: the records the prober proposes).
  public var authorities: [DNSResourceRecord]
  /// The additional section.
  public var additionals: [DNSResourceRecord]

  /// A message; by default a standard query with every flag clear and empty sections.
  public init(
    id: UInt16, isResponse: Bool = false, opcode: UInt8 = 0, isAuthoritative: Bool = false,
    isTruncated: Bool = false, recursionDesired: Bool = false, recursionAvailable: Bool = false,
    responseCode: DNSResponseCode = .noError, questions: [DNSQuestion] = [],
    answers: [DNSResourceRecord] = [], authorities: [DNSResourceRecord] = [],
    additionals: [DNSResourceRecord] = []
  ) {
    precondition(opcode < 16, "the opcode has four bits")
    self.id = id
    self.isResponse = isResponse
    self.opcode = opcode
    self.isAuthoritative = isAuthoritative
    self.isTruncated = isTruncated
    self.recursionDesired = recursionDesired
    self.recursionAvailable = recursionAvailable
    self.responseCode = responseCode
    self.questions = questions
    self.answers = answers
    self.authorities = authorities
    self.additionals = additionals
  }

  /// Reads a whole message. The Z bits are ignored; everything else is checked.
  public static func parse(_ bytes: ArraySlice<UInt8>) throws(WireError) -> DNSMessage {
    guard bytes.count <= maximumLength else {
      throw .malformed(protocol: DNSMessageReader.protocolName, reason: "over 65535 bytes")
    }
    var reader = DNSMessageReader(bytes)
    let id = try reader.readUInt16()
    let flags = try reader.readUInt16()
    let questionCount = try reader.readUInt16()
    let answerCount = try reader.readUInt16()
    let authorityCount = try reader.readUInt16()
    let additionalCount = try reader.readUInt16()
    var message = DNSMessage(
      id: id, isResponse: flags & 0x8000 != 0, opcode: UInt8(flags >> 11 & 0xF),
      isAuthoritative: flags & 0x0400 != 0, isTruncated: flags & 0x0200 != 0,
      recursionDesired: flags & 0x0100 != 0, recursionAvailable: flags & 0x0080 != 0,
      responseCode: DNSResponseCode(rawValue: UInt8(flags & 0xF))!)
    // Counts are not trusted for allocation: each entry is read, so a count larger than the
    // bytes present ends in `truncated` after at most one entry per remaining byte.
    for _ in 0..<questionCount { message.questions.append(try DNSQuestion.read(from: &reader)) }
    message.answers = try readRecords(answerCount, from: &reader)
    message.authorities = try readRecords(authorityCount, from: &reader)
    message.additionals = try readRecords(additionalCount, from: &reader)
    guard reader.remaining == 0 else {
      throw reader.malformed("\(reader.remaining) bytes after the last record")
    }
    return message
  }

  private static func readRecords(
    _ count: UInt16, from reader: inout DNSMessageReader
  ) throws(WireError) -> [DNSResourceRecord] {
    var records: [DNSResourceRecord] = []
    for _ in 0..<count { records.append(try DNSResourceRecord.read(from: &reader)) }
    return records
  }

  /// The 16 flag bits of the header.
  private var flags: UInt16 {
    var flags = UInt16(opcode) << 11 | UInt16(responseCode.rawValue)
    if isResponse { flags |= 0x8000 }
    if isAuthoritative { flags |= 0x0400 }
    if isTruncated { flags |= 0x0200 }
    if recursionDesired { flags |= 0x0100 }
    if recursionAvailable { flags |= 0x0080 }
    return flags
  }

  /// Appends the message to `buffer`, compressing names.
  public func emit(into buffer: inout [UInt8]) {
    let counts = [questions.count, answers.count, authorities.count, additionals.count]
    precondition(counts.allSatisfy { $0 <= Int(UInt16.max) }, "a section over 65535 entries")
    var writer = DNSMessageWriter()
    writer.writeUInt16(id)
    writer.writeUInt16(flags)
    for count in counts { writer.writeUInt16(UInt16(count)) }
    for question in questions { question.write(to: &writer) }
    for record in answers + authorities + additionals { record.write(to: &writer) }
    precondition(writer.bytes.count <= Self.maximumLength, "a message over 65535 bytes")
    buffer.append(contentsOf: writer.bytes)
  }

  /// The message's bytes.
  public var bytes: [UInt8] {
    var buffer: [UInt8] = []
    emit(into: &buffer)
    return buffer
  }
}
