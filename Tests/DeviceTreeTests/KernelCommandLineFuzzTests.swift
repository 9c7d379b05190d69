import DeviceTree
import Randomness
import XCTest

/// Seeded random boot arguments, from an alphabet heavy in the characters the parser looks
/// at (spaces, `=`, digits, `.`), checked against the rules read off the text directly.
final class KernelCommandLineFuzzTests: XCTestCase {
  static let alphabet: [String] = [
    " ", " ", " ", "=", "=", ".", "0", "1", "5", "9", "a", "b", "k", "-", "é", "\t", "\n",
  ]
  static let keys = ["a", "b", "k", "a.b", "", "0", "é"]

  func testWordsValuesAndNumbersFollowTheText() {
    var random = SeededRandom(seed: 0xC0DE_0001)
    var numbers = 0
    for _ in 0..<2000 {
      let text = (0..<Int.random(in: 0...40, using: &random))
        .map { _ in Self.alphabet.randomElement(using: &random)! }.joined()
      let arguments = KernelCommandLine(text)
      // The words are the text's runs of anything but spaces, tabs and line ends, in order.
      XCTAssertEqual(
        arguments.words.map(String.init), Self.words(of: text), text)
      XCTAssertFalse(arguments.words.contains { $0.isEmpty || $0.contains(where: \.isWhitespace) })
      for key in Self.keys {
        let expected = Self.lastValue(of: key, in: text)
        XCTAssertEqual(arguments.value(of: key), expected, "\(key) in \(text)")
        let number = arguments.number(of: key)
        if let expected, Self.isDecimal(expected) {
          guard let number else { return XCTFail("\(key) in \(text): no number") }
          numbers += 1
          let reference = Double(expected)!
          XCTAssertEqual(number, reference, accuracy: reference * 1e-12, "\(key) in \(text)")
        } else {
          XCTAssertNil(number, "\(key) in \(text)")
        }
      }
    }
    XCTAssertGreaterThan(numbers, 50, "the texts hold numbers")
  }

  /// The runs of characters other than white space, by Foundation's reckoning.
  static func words(of text: String) -> [String] {
    text.components(separatedBy: .whitespacesAndNewlines).filter { !$0.isEmpty }
  }

  /// What follows `key=` in the last word that starts with it.
  static func lastValue(of key: String, in text: String) -> String? {
    let prefix = key + "="
    guard let word = words(of: text).last(where: { $0.hasPrefix(prefix) }) else {
      return nil
    }
    return String(word.dropFirst(prefix.count))
  }

  /// Digits with at most one point among them, at least one digit, at most 32 characters.
  static func isDecimal(_ text: String) -> Bool {
    let digits = text.filter(\.isASCIIDigit).count
    return digits > 0 && text.count <= 32 && text.allSatisfy { $0.isASCIIDigit || $0 == "." }
      && text.filter { $0 == "." }.count <= 1
  }
}

extension Character {
  fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
