// How Net reads and writes packets (one protocol a file, after smoltcp's `wire` module):
//
// - Each protocol has a value type of its parsed, validated header fields (`EthernetHeader`,
//   `IPv4Header`, ...) with
//     `static func parse(_ bytes: ArraySlice<UInt8>) throws(WireError) -> (header: Self, payload: ArraySlice<UInt8>)`
//   which checks lengths before it reads a byte, so it never traps on hostile input, and
//     `func emit(payload: some Collection<UInt8>, into buffer: inout [UInt8])`
//   which appends the header and the payload, computing lengths and checksums.
// - Parsing never allocates for the payload: it is a slice of the input.
// - Checksums that cover a pseudo-header (UDP, TCP) take the IPv4 addresses as arguments.

/// Why bytes are not a valid packet of some protocol. Every malformed input gets one of these;
/// the stack counts and drops such packets and never traps on them.
public enum WireError: Error, Equatable, Sendable, CustomStringConvertible {
  /// Fewer bytes than the header or a length field needs.
  case truncated(protocol: String, needed: Int, available: Int)
  /// A field holds a value the protocol forbids, such as an IPv4 header length below 5.
  case malformed(protocol: String, reason: String)
  /// The checksum does not match the contents.
  case badChecksum(protocol: String)
  /// Valid, but not something this stack handles, such as an IPv6 frame.
  case unsupported(protocol: String, reason: String)

  public var description: String {
    switch self {
    case .truncated(let name, let needed, let available):
      return "\(name): truncated (\(available) bytes, needs \(needed))"
    case .malformed(let name, let reason):
      return "\(name): malformed: \(reason)"
    case .badChecksum(let name):
      return "\(name): bad checksum"
    case .unsupported(let name, let reason):
      return "\(name): unsupported: \(reason)"
    }
  }
}
