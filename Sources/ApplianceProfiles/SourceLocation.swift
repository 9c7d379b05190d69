/// A place in a text file as editors show it: line and column, both counted from 1.
///
/// The JSON parser reports byte offsets, which a person cannot find in an editor; this turns
/// one into the line and column the editor's status bar shows. Columns count characters
/// (Unicode scalars), not bytes, so a `°` earlier on the line counts once.
public struct SourceLocation: Equatable, Sendable, CustomStringConvertible {
  /// The line, from 1.
  public var line: Int
  /// The column, from 1.
  public var column: Int

  /// A location at `line` and `column`.
  public init(line: Int, column: Int) {
    precondition(line >= 1 && column >= 1, "lines and columns count from 1")
    self.line = line
    self.column = column
  }

  /// The location of byte `offset` in `text`; an offset at or past the end is the place just
  /// after the last character.
  public init(offset: Int, in text: [UInt8]) {
    precondition(offset >= 0, "byte offsets are not negative")
    var line = 1
    var column = 1
    for byte in text.prefix(offset) {
      if byte == 0x0A {
        line += 1
        column = 1
      } else if byte & 0xC0 != 0x80 {
        // Every byte but a UTF-8 continuation byte (10xxxxxx) starts a character.
        column += 1
      }
    }
    self.init(line: line, column: column)
  }

  /// `12:7`, as compilers print it after a file name.
  public var description: String {
    "\(line):\(column)"
  }
}
