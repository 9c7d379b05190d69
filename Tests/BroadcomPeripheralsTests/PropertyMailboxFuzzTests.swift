import BoardSupport
import BroadcomPeripherals
import Randomness
import XCTest

/// The VideoCore's side of the mailbox as the fuzz tests play it: once a request is written it
/// may keep the mailbox empty for a while and post values that are not the answer (another
/// channel's, another buffer's) before the request's own; its answer is whatever words it is
/// given, written over the buffer.
private final class ScriptedFirmware: RegisterBlock {
  let buffer: UnsafeMutablePointer<UInt32>
  var answer: [UInt32] = []
  var silentPolls = 0
  var strayValues: [UInt32] = []
  private var posted: [UInt32] = []
  private var silenceLeft = 0

  init(buffer: UnsafeMutablePointer<UInt32>) { self.buffer = buffer }

  func read(_ offset: Int) -> UInt32 {
    switch offset {
    case 0x18:  // mailbox 0's status: empty?
      guard silenceLeft == 0 else {
        silenceLeft -= 1
        return 1 << 30
      }
      return posted.isEmpty ? 1 << 30 : 0
    case 0x00: return posted.isEmpty ? 0 : posted.removeFirst()
    default: return 0  // mailbox 1 is never full
    }
  }

  func write(_ offset: Int, _ value: UInt32) {
    for (index, word) in answer.enumerated() { buffer[index] = word }
    posted = strayValues + [value]
    silenceLeft = silentPolls
  }
}

/// Seeded fuzzing of the property interface's answers (the firmware's words: tags, lengths,
/// response codes): random messages answered correctly read back each value, and mutated
/// answers are refused with the error their words call for or give, for each tag, only words
/// of that tag's own value buffer.
final class PropertyMailboxFuzzTests: XCTestCase {
  static let busAddress: UInt32 = 0xC000_8000

  func testRandomMessagesReadBackTheFirmwaresAnswers() throws {
    var random = SeededRandom(seed: 0xB0C5_0001)
    let buffer = UnsafeMutablePointer<UInt32>.allocate(capacity: 256)
    defer { buffer.deallocate() }
    let firmware = ScriptedFirmware(buffer: buffer)
    let mailbox = PropertyMailbox(
      registers: firmware, buffer: buffer, bufferWords: 256, busAddress: Self.busAddress,
      cleanCache: { _ in }, invalidateCache: { _ in })
    for _ in 0..<2000 {
      let message = Self.randomMessage(using: &random)
      var answer = message.requestWords
      answer[1] = 0x8000_0000
      var expected: [[UInt32]?] = []
      var index = 2
      for tag in message.tags {
        if random.chance(0.7) {
          let length = Int.random(in: 0...tag.valueBufferBytes, using: &random)
          answer[index + 2] = 0x8000_0000 | UInt32(length)
          let values = (0..<(length + 3) / 4).map { _ in
            UInt32.random(in: 0...UInt32.max, using: &random)
          }
          answer.replaceSubrange(index + 3..<index + 3 + values.count, with: values)
          expected.append(values)
        } else {
          expected.append(nil)
        }
        index += 3 + tag.valueBufferBytes / 4
      }
      XCTAssertEqual(try message.responseValues(from: answer), expected)
      firmware.answer = answer
      firmware.silentPolls = Int.random(in: 0...20, using: &random)
      firmware.strayValues = (0..<Int.random(in: 0...3, using: &random)).map { _ in
        random.chance(0.5)
          ? Self.busAddress | UInt32.random(in: 0...7, using: &random)
          : UInt32.random(in: 0...UInt32.max, using: &random)
      }
      XCTAssertEqual(try mailbox.request(message), expected)
    }
  }

  func testMutatedAnswersGiveTheirErrorOrValuesInsideEachTagsBuffer() {
    var random = SeededRandom(seed: 0xB0C5_0002)
    var outcomes = (values: 0, refused: 0, malformed: 0)
    for iteration in 0..<3000 {
      let message = Self.randomMessage(using: &random)
      var answer = message.requestWords
      answer[1] = 0x8000_0000
      var index = 2
      for tag in message.tags {
        answer[index + 2] = 0x8000_0000 | UInt32(tag.valueBufferBytes)
        index += 3 + tag.valueBufferBytes / 4
      }
      for _ in 0..<Int.random(in: 1...3, using: &random) {
        Self.mutate(&answer, of: message, using: &random)
      }
      let context = "iteration \(iteration): \(answer)"
      switch Result(catching: { () throws(PropertyMailboxError) in
        try message.responseValues(from: answer)
      }) {
      case .success(let values):
        outcomes.values += 1
        XCTAssertEqual(answer.count, message.requestWords.count, context)
        XCTAssertEqual(answer[1], 0x8000_0000, context)
        XCTAssertEqual(values.count, message.tags.count, context)
        var index = 2
        for (tag, value) in zip(message.tags, values) {
          XCTAssertEqual(answer[index], tag.id, context)
          let state = answer[index + 2]
          let length = Int(state & 0x7FFF_FFFF)
          if state & 0x8000_0000 != 0 && length <= tag.valueBufferBytes {
            // The answer's words, from the tag's own value buffer and no further.
            XCTAssertEqual(value, Array(answer[index + 3..<index + 3 + (length + 3) / 4]), context)
          } else {
            XCTAssertNil(value, context)
          }
          index += 3 + tag.valueBufferBytes / 4
        }
      case .failure(.firmwareRefused(let code)):
        outcomes.refused += 1
        XCTAssertEqual(answer.count, message.requestWords.count, context)
        XCTAssertEqual(code, answer[1], context)
        XCTAssertNotEqual(code, 0x8000_0000, context)
      case .failure(.malformedResponse):
        outcomes.malformed += 1
        XCTAssertTrue(
          answer.count != message.requestWords.count || !Self.tagIDsInPlace(answer, message),
          context)
      case .failure(.noAnswer):
        XCTFail("an answer in hand is no missing answer: \(context)")
      }
    }
    XCTAssertGreaterThan(outcomes.values, 500)
    XCTAssertGreaterThan(outcomes.refused, 100)
    XCTAssertGreaterThan(outcomes.malformed, 100)
  }

  // MARK: - Messages and answers

  /// One to six of the tags the firmware knows, in any order, repeats allowed.
  static func randomMessage(using random: inout SeededRandom) -> PropertyMessage {
    PropertyMessage(
      tags: (0..<Int.random(in: 1...6, using: &random)).map { _ in
        [
          .boardModel, .boardRevision, .macAddress, .serialNumber, .armMemory,
          .clockRate(clockID: UInt32.random(in: 0...12, using: &random)),
        ].randomElement(using: &random)!
      })
  }

  /// Whether each tag's id is where the request put it.
  static func tagIDsInPlace(_ answer: [UInt32], _ message: PropertyMessage) -> Bool {
    var index = 2
    for tag in message.tags {
      guard answer[index] == tag.id else { return false }
      index += 3 + tag.valueBufferBytes / 4
    }
    return true
  }

  /// One random damage to `answer`: a bit flipped, a word (often a tag's response word) set to
  /// a length past its buffer, a bare response bit, a response code or an id, a word removed or
  /// added, two words swapped.
  static func mutate(
    _ answer: inout [UInt32], of message: PropertyMessage, using random: inout SeededRandom
  ) {
    let index = Int(random.next(below: UInt64(answer.count)))
    switch random.next(below: 5) {
    case 0: answer[index] ^= 1 << UInt32(random.next(below: 32))
    case 1:
      // A tag's response word, most often: where lengths and the response bit are.
      var stateIndex = 4
      for tag in message.tags.prefix(Int(random.next(below: UInt64(message.tags.count)))) {
        stateIndex += 3 + tag.valueBufferBytes / 4
      }
      let tag = message.tags.randomElement(using: &random)!
      let value = [
        0, 0x8000_0000, 0x7FFF_FFFF, 0xFFFF_FFFF, 0x8000_0001,
        0x8000_0000 | UInt32(tag.valueBufferBytes + 1),
        0x8000_0000 | UInt32(tag.valueBufferBytes + 4), UInt32(tag.valueBufferBytes), tag.id,
        UInt32.random(in: 0...UInt32.max, using: &random),
      ].randomElement(using: &random)!
      answer[random.chance(0.7) ? stateIndex : index] = value
    case 2: answer.remove(at: index)
    case 3: answer.insert(UInt32.random(in: 0...UInt32.max, using: &random), at: index)
    default: answer.swapAt(index, Int(random.next(below: UInt64(answer.count))))
    }
  }
}
