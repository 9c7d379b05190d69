/// Writes bytes into memory sized beforehand, without the capacity and uniqueness checks an
/// array makes on every append.
///
/// A response head is a dozen small pieces (status line, fields, framing), and per piece those
/// checks cost more than the copy itself; the serializers work out the most a head can take,
/// then write it here in one pass. Writing past the end is a precondition failure, never a
/// silent overrun.
struct ByteWriter {
  private let buffer: UnsafeMutableBufferPointer<UInt8>
  /// The bytes written so far, from the start of the buffer.
  private(set) var count = 0

  init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
    self.buffer = buffer
  }

  mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
    precondition(bytes.count <= buffer.count - count, "a ByteWriter's buffer is full")
    guard let source = bytes.baseAddress, let destination = buffer.baseAddress else { return }
    (destination + count).initialize(from: source, count: bytes.count)
    count += bytes.count
  }

  mutating func write(_ bytes: ArraySlice<UInt8>) {
    bytes.withUnsafeBufferPointer { write($0) }
  }

  /// Writes the bytes of a literal, straight from the program's constant data.
  mutating func write(_ text: StaticString) {
    text.withUTF8Buffer { write($0) }
  }

  /// Writes the UTF-8 bytes of `text`. (Named apart from `write(_: StaticString)` so that
  /// literals take the cheaper way.)
  mutating func write(utf8 text: String) {
    var text = text  // `withUTF8` may make the string contiguous, so it needs a variable
    text.withUTF8 { write($0) }
  }

  mutating func write(_ byte: UInt8) {
    precondition(count < buffer.count, "a ByteWriter's buffer is full")
    buffer[count] = byte
    count += 1
  }

  /// Writes the decimal digits of `value`, which is not negative: at most 19 bytes.
  mutating func write(decimal value: Int) {
    precondition(value >= 0, "a decimal for the wire is not negative")
    var digitCount = 1
    var rest = value / 10
    while rest > 0 {
      digitCount += 1
      rest /= 10
    }
    precondition(digitCount <= buffer.count - count, "a ByteWriter's buffer is full")
    var remaining = value
    for index in stride(from: count + digitCount - 1, through: count, by: -1) {
      buffer[index] = UInt8(ascii: "0") + UInt8(remaining % 10)
      remaining /= 10
    }
    count += digitCount
  }
}

extension Array where Element == UInt8 {
  /// Appends the bytes `write` writes from `source`, of which there are at most
  /// `maximumCount`. They are written into scratch memory (on the stack when small) and
  /// appended in one copy. (`source` is handed to `write` rather than captured by it, which
  /// would copy it.)
  mutating func append<Source: ~Copyable>(
    writingAtMost maximumCount: Int, from source: borrowing Source,
    _ write: (inout ByteWriter, borrowing Source) -> Void
  ) {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maximumCount) { buffer in
      var writer = ByteWriter(buffer)
      write(&writer, source)
      append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<writer.count]))
    }
  }
}
