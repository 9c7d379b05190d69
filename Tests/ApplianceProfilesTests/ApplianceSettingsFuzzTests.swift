import ApplianceProfiles
import JSON
import Randomness
import XCTest

/// Seeded fuzzing of `ApplianceSettings(loadedFile:)` with what a Pi's RAM may hold at the
/// settings' address: random settings written in every way JSON allows (escapes, whitespace, a
/// byte-order mark), followed by zeros or by garbage; every prefix of a file; and mutations of
/// files as a person editing them, or a damaged card, might leave them.
final class ApplianceSettingsFuzzTests: XCTestCase {
  typealias Outcome = Result<ApplianceSettings, ApplianceSettingsError>

  /// Characters that trip a scan for the object's end, and some that UTF-8 and JSON escapes
  /// spell in several bytes.
  static let characters: [Character] = [
    "{", "}", "[", "]", "\"", "\\", "/", ":", ",", " ", "\n", "\u{1}", "a", "z", "0", "-", ".",
    "é", "°", "☃", "😀",
  ]

  static let files = [
    #"{"name": "kitchen-fridge", "app": "fridge", "hub": "http://hub.local:8080"}"#,
    "\u{FEFF}\r\n{\r\n  \"name\": \"pot-{1}\",\r\n  \"hub\": \"http://h:1/\\\"}\\\\\"\r\n}\r\n",
    #"{"app":"plant-pot","name":"caf\u00e9 [2]"}"#,
    "{}",
  ].map { Array($0.utf8) }

  func testRandomSettingsReadBackWhateverFollowsThem() {
    var random = SeededRandom(seed: 0x5E77_0001)
    for _ in 0..<1000 {
      var settings = ApplianceSettings()
      if random.chance(0.8) { settings.name = Self.randomString(using: &random) }
      if random.chance(0.8) { settings.app = Self.randomString(using: &random) }
      if random.chance(0.8) { settings.hub = Self.randomString(using: &random) }
      let file = Self.randomFile(settings, using: &random)
      for rest in [[], [UInt8](repeating: 0, count: 64), Self.garbage(using: &random)] {
        XCTAssertEqual(
          Self.read(file + rest), .success(settings), String(decoding: file, as: UTF8.self))
      }
    }
  }

  func testAFileCutShortOfItsClosingBraceIsUnterminated() {
    // Every prefix, followed by zeros (as RAM past a cut-off file may be) or by nothing.
    for file in Self.files {
      let start = file.firstIndex(of: UInt8(ascii: "{"))!
      let end = file.lastIndex(of: UInt8(ascii: "}"))! + 1
      let whole = Self.read(file)
      XCTAssertNoThrow(try whole.get())
      for length in 0...file.count {
        let prefix = Array(file[..<length])
        let expected: Outcome =
          length <= start ? .failure(.notAnObject) : length < end ? .failure(.unterminated) : whole
        XCTAssertEqual(Self.read(prefix), expected, "\(length)")
        XCTAssertEqual(Self.read(prefix + [0, 0, 0, 0]), expected, "\(length)")
      }
    }
  }

  func testTheWindowEndsAfter4096Bytes() {
    let opening = Array(#"{"name": "x""#.utf8)
    for length in [4095, 4096, 4097] {
      let file =
        opening + [UInt8](repeating: 0x20, count: length - opening.count - 1)
        + [UInt8(ascii: "}")]
      XCTAssertEqual(
        Self.read(file + [0]),
        length <= ApplianceSettings.maximumByteCount
          ? .success(ApplianceSettings(name: "x")) : .failure(.unterminated), "\(length)")
    }
  }

  func testMutatedFilesAreReadFromTheirOwnBytesOnly() {
    var random = SeededRandom(seed: 0x5E77_0002)
    var outcomes: [String: Int] = [:]
    for iteration in 0..<3000 {
      var file = Self.files[iteration % Self.files.count]
      for _ in 0..<Int.random(in: 1...3, using: &random) { Self.mutate(&file, using: &random) }
      let alone = Self.read(file)
      let zeros = Self.read(file + [UInt8](repeating: 0, count: 64))
      let garbage = Self.read(file + Self.garbage(using: &random))
      let context = "iteration \(iteration): \(file)"
      // A file of only whitespace leaves it to the memory after it whether an object starts.
      guard let first = Self.firstSignificantByte(file) else { continue }
      for outcome in [alone, zeros, garbage] {
        XCTAssertEqual(
          outcome == .failure(.notAnObject), first != UInt8(ascii: "{"), context)
      }
      if alone != .failure(.unterminated) {
        // The object (or the error in it) ends inside the file: what follows is never read.
        XCTAssertEqual(zeros, alone, context)
        XCTAssertEqual(garbage, alone, context)
      } else {
        // Zeros close no object, inside a string or out of one.
        XCTAssertEqual(zeros, .failure(.unterminated), context)
      }
      if case .success(let settings) = alone {
        // What was accepted reads back the same once written out again.
        XCTAssertEqual(Self.read(Self.randomFile(settings, using: &random)), alone, context)
      }
      outcomes[Self.kind(alone), default: 0] += 1
    }
    // The mutations reach each outcome, not just the first check.
    for kind in [
      "success", "notAnObject", "unterminated", "invalidJSON", "notAString", "unknownKey",
    ] {
      XCTAssertGreaterThan(outcomes[kind, default: 0], 20, "\(kind) in \(outcomes)")
    }
  }

  // MARK: - Reading

  static func read(_ memory: [UInt8]) -> Outcome {
    memory.withUnsafeBytes { bytes in
      Result { () throws(ApplianceSettingsError) in try ApplianceSettings(loadedFile: bytes) }
    }
  }

  /// The first byte past a byte-order mark and whitespace; nil when the file ends first (a
  /// part of a byte-order mark included).
  static func firstSignificantByte(_ file: [UInt8]) -> UInt8? {
    let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
    if file.count < 3 && byteOrderMark.starts(with: file) { return nil }
    let body = file.starts(with: byteOrderMark) ? file.dropFirst(3) : file[...]
    return body.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
  }

  static func kind(_ outcome: Outcome) -> String {
    switch outcome {
    case .success: return "success"
    case .failure(.notAnObject): return "notAnObject"
    case .failure(.unterminated): return "unterminated"
    case .failure(.invalidJSON): return "invalidJSON"
    case .failure(.notAString): return "notAString"
    case .failure(.unknownKey): return "unknownKey"
    }
  }

  // MARK: - Writing files

  static func randomString(using random: inout SeededRandom) -> String {
    String(
      (0..<Int.random(in: 0...12, using: &random)).map { _ in
        characters.randomElement(using: &random)!
      })
  }

  /// `settings` as a file: members in random order, whitespace between every token, strings
  /// escaped in any of the ways JSON allows, sometimes a byte-order mark.
  static func randomFile(_ settings: ApplianceSettings, using random: inout SeededRandom)
    -> [UInt8]
  {
    func space() -> [UInt8] {
      (0..<Int.random(in: 0...2, using: &random)).map { _ in
        [0x20, 0x09, 0x0A, 0x0D].randomElement(using: &random)!
      }
    }
    let members = [("name", settings.name), ("app", settings.app), ("hub", settings.hub)]
      .compactMap { key, value in value.map { (key, $0) } }.shuffled(using: &random)
    var file: [UInt8] = random.chance(0.2) ? [0xEF, 0xBB, 0xBF] : []
    file += space() + [UInt8(ascii: "{")]
    for (index, (key, value)) in members.enumerated() {
      if index > 0 { file.append(UInt8(ascii: ",")) }
      file += space() + quoted(key, using: &random) + space() + [UInt8(ascii: ":")]
      file += space() + quoted(value, using: &random) + space()
    }
    return file + [UInt8(ascii: "}")] + space()
  }

  /// `text` as a JSON string, each character raw or escaped at random (`\u` escapes, and the
  /// short ones where they exist); quotes, backslashes and control characters always escaped.
  static func quoted(_ text: String, using random: inout SeededRandom) -> [UInt8] {
    var bytes = [UInt8(ascii: "\"")]
    for scalar in text.unicodeScalars {
      let mustEscape = scalar == "\"" || scalar == "\\" || scalar.value < 0x20
      if !mustEscape && random.chance(0.7) {
        bytes += Array(String(scalar).utf8)
      } else if mustEscape && random.chance(0.5) {
        bytes += JSONValue.string(String(scalar)).serialized().dropFirst().dropLast()
      } else {
        for unit in String(scalar).utf16 {
          let digits = String(unit, radix: 16, uppercase: random.chance(0.5))
          bytes += Array(("\\u" + String(repeating: "0", count: 4 - digits.count) + digits).utf8)
        }
      }
    }
    return bytes + [UInt8(ascii: "\"")]
  }

  /// What RAM might hold past a file: random bytes, rich in those that open and close objects
  /// and strings.
  static func garbage(using random: inout SeededRandom) -> [UInt8] {
    (0..<Int.random(in: 1...64, using: &random)).map { _ in
      random.chance(0.5)
        ? Array("{}[]\"\\ ,:".utf8).randomElement(using: &random)!
        : UInt8.random(in: 0...255, using: &random)
    }
  }

  // MARK: - Mutations

  /// One random edit of `file`: a bit flipped, a byte overwritten, JSON punctuation inserted,
  /// a member inserted after the opening brace, bytes removed or duplicated, the file cut short.
  static func mutate(_ file: inout [UInt8], using random: inout SeededRandom) {
    var index = Int(random.next(below: UInt64(file.count + 1)))
    let insertions = [
      "{", "}", "[", "]", "\"", "\\", ",", ":", "\\u", "\u{FEFF}", "\0",
    ].map { Array($0.utf8) }
    let members = [
      #""name":"y","#, #""x":"1","#, #""app":2,"#, #""hub":null,"#, #""y":{"a":[1]},"#,
    ].map { Array($0.utf8) }
    switch random.next(below: 7) {
    case 0 where index < file.count: file[index] ^= 1 << UInt8(random.next(below: 8))
    case 1 where index < file.count:
      file[index] =
        (Array("{}[]\"\\:, ".utf8) + [0x00, 0x80, 0xC3, 0xEF, 0xFF]).randomElement(using: &random)!
    case 2: file.insert(contentsOf: insertions.randomElement(using: &random)!, at: index)
    case 3:
      file.removeSubrange(index..<min(file.count, index + Int.random(in: 1...6, using: &random)))
    case 4: file.removeLast(file.count - index)
    case 5:
      index = file.firstIndex(of: UInt8(ascii: "{")).map { $0 + 1 } ?? index
      file.insert(contentsOf: members.randomElement(using: &random)!, at: index)
    default:
      let start = Int(random.next(below: UInt64(file.count + 1)))
      let copied = file[start..<min(file.count, start + Int.random(in: 1...12, using: &random))]
      file.insert(contentsOf: copied, at: index)
    }
  }
}
