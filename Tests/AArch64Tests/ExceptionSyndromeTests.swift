import AArch64
import XCTest

final class ExceptionSyndromeTests: XCTestCase {
  func testAnAlignmentFaultOnARead() {
    // What QEMU reported when Swift code ran with the MMU off: ESR 0x96000021.
    let syndrome = ExceptionSyndrome(rawValue: 0x9600_0021)
    XCTAssertEqual(syndrome.exceptionClass, 0x25)
    XCTAssertEqual(syndrome.classDescription.description, "data abort")
    XCTAssertEqual(syndrome.faultStatusDescription?.description, "alignment fault")
    XCTAssertNil(syndrome.faultLevel)
    XCTAssertEqual(syndrome.isWrite, false)
    XCTAssertTrue(syndrome.hasFaultAddress)
  }

  func testATranslationFaultOnAWriteNamesItsLevel() {
    let syndrome = ExceptionSyndrome(rawValue: 0x9600_0046)
    XCTAssertEqual(syndrome.faultStatusDescription?.description, "translation fault")
    XCTAssertEqual(syndrome.faultLevel, 2)
    XCTAssertEqual(syndrome.isWrite, true)
  }

  func testASwiftTrapIsABreakpointInstruction() {
    // Swift's runtime traps (a failed precondition, an overflow) execute BRK #1.
    let syndrome = ExceptionSyndrome(rawValue: 0xF200_0001)
    XCTAssertEqual(syndrome.exceptionClass, 0x3C)
    XCTAssertEqual(
      syndrome.classDescription.description, "BRK instruction (a Swift runtime trap)")
    XCTAssertNil(syndrome.faultStatusDescription)
    XCTAssertNil(syndrome.isWrite)
    XCTAssertFalse(syndrome.hasFaultAddress)
  }

  func testAnUndefinedInstruction() {
    XCTAssertEqual(
      ExceptionSyndrome(rawValue: 0x0200_0000).classDescription.description,
      "unknown reason (an undefined instruction)")
  }
}
