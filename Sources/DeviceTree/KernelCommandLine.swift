/// The boot arguments a unikernel is started with (`/chosen/bootargs`, QEMU's `-append`):
/// words separated by spaces, each `key=value` or a bare flag, as Linux's command line.
public struct KernelCommandLine: Equatable, Sendable {
  /// The words, in order.
  public let words: [Substring]

  /// The arguments in `text`.
  public init(_ text: String) {
    words = text.split(separator: " ", omittingEmptySubsequences: true)
  }

  /// The value of the last `key=value` word with this key (later words override earlier ones),
  /// or nil.
  public func value(of key: String) -> String? {
    for word in words.reversed() {
      guard let equals = word.firstIndex(of: "=") else { continue }
      if word[..<equals] == key { return String(word[word.index(after: equals)...]) }
    }
    return nil
  }
}
