/// A response body made as it is sent, a bounded piece at a time, instead of held whole in
/// memory: a large download then costs the memory of one piece, not of the whole body.
///
/// The length is known up front, so the response still carries a `Content-Length` (or is sent
/// chunked, one chunk per piece, if the response asks for it).
///
/// Contract of `produce(offset, count, &output)`: append exactly `count` bytes to `output`,
/// the body's bytes from `offset` on. The connection asks for the pieces in order, each
/// starting where the previous one ended, with `count >= 1` and `offset + count <= length`;
/// it checks that exactly `count` bytes were appended. The closure runs on the connection's
/// thread whenever the host wants more output, possibly long after the response was made.
public struct HTTPBodySource: Sendable {
  /// The body's size in bytes.
  public let length: Int
  /// Appends the `count` bytes that start at `offset` to `output` (see the type's contract).
  public let produce: @Sendable (_ offset: Int, _ count: Int, _ output: inout [UInt8]) -> Void

  /// A body of `length` bytes that `produce` makes on demand.
  public init(
    length: Int,
    produce: @escaping @Sendable (_ offset: Int, _ count: Int, _ output: inout [UInt8]) -> Void
  ) {
    precondition(length >= 0, "a body cannot have a negative length")
    self.length = length
    self.produce = produce
  }
}
