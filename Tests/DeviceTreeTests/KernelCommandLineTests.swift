import DeviceTree
import XCTest

final class KernelCommandLineTests: XCTestCase {
  func testValuesByKeyTheLastOneWinning() {
    let arguments = KernelCommandLine(
      "  loam.hub=http://10.0.2.100:8080 quiet loam.id=pot-1 loam.id=pot-2 ")
    XCTAssertEqual(arguments.words.count, 4)
    XCTAssertEqual(arguments.value(of: "loam.hub"), "http://10.0.2.100:8080")
    XCTAssertEqual(arguments.value(of: "loam.id"), "pot-2")
    XCTAssertNil(arguments.value(of: "quiet"), "a flag has no value")
    XCTAssertNil(arguments.value(of: "loam"))
    XCTAssertEqual(KernelCommandLine("a=b=c").value(of: "a"), "b=c")
    XCTAssertEqual(KernelCommandLine("").words, [])
    XCTAssertEqual(KernelCommandLine("a=1\tb=2\r\nc\n").words, ["a=1", "b=2", "c"])
  }

  func testNumbers() {
    let arguments = KernelCommandLine(
      "loam.interval=0.5 loam.time-scale=60 bad=1.2.3 sign=-4 empty=")
    XCTAssertEqual(arguments.number(of: "loam.interval"), 0.5)
    XCTAssertEqual(arguments.number(of: "loam.time-scale"), 60)
    XCTAssertNil(arguments.number(of: "bad"))
    XCTAssertNil(arguments.number(of: "sign"))
    XCTAssertNil(arguments.number(of: "empty"))
    XCTAssertNil(arguments.number(of: "missing"))
    XCTAssertEqual(KernelCommandLine("x=.25").number(of: "x"), 0.25)
    XCTAssertNil(KernelCommandLine("x=.").number(of: "x"))
  }
}
