import Randomness
import XCTest

final class SeededRandomTests: XCTestCase {
  func testMatchesTheSplitMix64ReferenceSequence() {
    // The first outputs of the reference C implementation (Vigna's splitmix64.c) for seeds 0, 42.
    var zero = SeededRandom(seed: 0)
    XCTAssertEqual(
      [zero.next(), zero.next(), zero.next()],
      [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
    var fortyTwo = SeededRandom(seed: 42)
    XCTAssertEqual(fortyTwo.next(), 0xBDD7_3226_2FEB_6E95)
  }

  func testBoundedDrawsStayInRangeAndCoverIt() {
    var random = SeededRandom(seed: 7)
    var seen = Array(repeating: 0, count: 6)
    for _ in 0..<6000 {
      let value = random.next(below: 6)
      XCTAssertLessThan(value, 6)
      seen[Int(value)] += 1
    }
    for count in seen {
      XCTAssertTrue((800...1200).contains(count), "uneven: \(seen)")
    }
    XCTAssertEqual(random.next(below: 1), 0)
  }

  func testChanceHonoursItsProbability() {
    var random = SeededRandom(seed: 9)
    var hits = 0
    for _ in 0..<10_000 {
      XCTAssertFalse(random.chance(0))
      XCTAssertTrue(random.chance(1))
      if random.chance(0.3) { hits += 1 }
      let unit = random.nextUnit()
      XCTAssertTrue(unit >= 0 && unit < 1)
    }
    XCTAssertTrue((2700...3300).contains(hits), "\(hits) hits at 30%")
  }
}
