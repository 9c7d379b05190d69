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
  }
}
