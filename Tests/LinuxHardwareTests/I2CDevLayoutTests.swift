import CI2CDev
import Foundation
import XCTest

/// The i2c-dev ioctl interface as Swift imports it from the kernel headers, checked against what
/// a C compiler reports for the same headers: the layouts of `struct i2c_msg` and
/// `struct i2c_rdwr_ioctl_data` (which `LinuxI2CBus` hands to the kernel as raw memory), the
/// ioctl request numbers and the flag bits.
final class I2CDevLayoutTests: XCTestCase {
  /// `Sources/CI2CDev`, whose header both Swift and the C probe include.
  private static let headerDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Sources/CI2CDev").path

  /// A C program printing `name value` lines for everything the tests compare.
  private static let probeSource = """
    #include <stddef.h>
    #include <stdio.h>
    #include "CI2CDev.h"
    #define SHOW(name, value) printf("%s %lu\\n", name, (unsigned long)(value))
    int main(void) {
      SHOW("i2c_msg.size", sizeof(struct i2c_msg));
      SHOW("i2c_msg.alignment", _Alignof(struct i2c_msg));
      SHOW("i2c_msg.addr", offsetof(struct i2c_msg, addr));
      SHOW("i2c_msg.flags", offsetof(struct i2c_msg, flags));
      SHOW("i2c_msg.len", offsetof(struct i2c_msg, len));
      SHOW("i2c_msg.buf", offsetof(struct i2c_msg, buf));
      SHOW("i2c_rdwr_ioctl_data.size", sizeof(struct i2c_rdwr_ioctl_data));
      SHOW("i2c_rdwr_ioctl_data.alignment", _Alignof(struct i2c_rdwr_ioctl_data));
      SHOW("i2c_rdwr_ioctl_data.msgs", offsetof(struct i2c_rdwr_ioctl_data, msgs));
      SHOW("i2c_rdwr_ioctl_data.nmsgs", offsetof(struct i2c_rdwr_ioctl_data, nmsgs));
      SHOW("I2C_FUNCS", I2C_FUNCS);
      SHOW("I2C_RDWR", I2C_RDWR);
      SHOW("I2C_RDWR_IOCTL_MAX_MSGS", I2C_RDWR_IOCTL_MAX_MSGS);
      SHOW("I2C_M_RD", I2C_M_RD);
      SHOW("I2C_FUNC_I2C", I2C_FUNC_I2C);
      return 0;
    }
    """

  /// The probe's output as a dictionary; skips the test if no C compiler is installed.
  private func valuesFromCCompiler() throws -> [String: Int] {
    let compilers = ["cc", "clang", "gcc"]
    guard let compiler = compilers.first(where: { isOnPath($0) }) else {
      print(
        "I2CDevLayoutTests: skipped: no C compiler (\(compilers.joined(separator: ", "))) on PATH")
      throw XCTSkip("no C compiler (\(compilers.joined(separator: ", "))) on PATH")
    }
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("loam-i2c-layout-\(getpid())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let source = directory.appendingPathComponent("probe.c")
    let program = directory.appendingPathComponent("probe")
    try Self.probeSource.write(to: source, atomically: true, encoding: .utf8)
    _ = try run(compiler, ["-I", Self.headerDirectory, "-o", program.path, source.path])
    var values: [String: Int] = [:]
    for line in try run(program.path, []).split(separator: "\n") {
      let fields = line.split(separator: " ")
      XCTAssertEqual(fields.count, 2, "probe line: \(line)")
      values[String(fields[0])] = Int(fields[1])
    }
    return values
  }

  func testMessageLayoutMatchesTheCCompiler() throws {
    let c = try valuesFromCCompiler()
    // C's sizeof includes tail padding, as Swift's stride does: the distance between the
    // elements of the message array the kernel walks.
    XCTAssertEqual(MemoryLayout<i2c_msg>.stride, c["i2c_msg.size"])
    XCTAssertEqual(MemoryLayout<i2c_msg>.alignment, c["i2c_msg.alignment"])
    XCTAssertEqual(MemoryLayout<i2c_msg>.offset(of: \.addr), c["i2c_msg.addr"])
    XCTAssertEqual(MemoryLayout<i2c_msg>.offset(of: \.flags), c["i2c_msg.flags"])
    XCTAssertEqual(MemoryLayout<i2c_msg>.offset(of: \.len), c["i2c_msg.len"])
    XCTAssertEqual(MemoryLayout<i2c_msg>.offset(of: \.buf), c["i2c_msg.buf"])
    XCTAssertLessThanOrEqual(MemoryLayout<i2c_msg>.size, MemoryLayout<i2c_msg>.stride)
  }

  func testTransferRequestLayoutMatchesTheCCompiler() throws {
    let c = try valuesFromCCompiler()
    typealias Request = i2c_rdwr_ioctl_data
    XCTAssertEqual(MemoryLayout<Request>.stride, c["i2c_rdwr_ioctl_data.size"])
    XCTAssertEqual(MemoryLayout<Request>.alignment, c["i2c_rdwr_ioctl_data.alignment"])
    XCTAssertEqual(MemoryLayout<Request>.offset(of: \.msgs), c["i2c_rdwr_ioctl_data.msgs"])
    XCTAssertEqual(MemoryLayout<Request>.offset(of: \.nmsgs), c["i2c_rdwr_ioctl_data.nmsgs"])
    XCTAssertLessThanOrEqual(MemoryLayout<Request>.size, MemoryLayout<Request>.stride)
  }

  func testRequestNumbersAndFlagsMatchTheCCompiler() throws {
    let c = try valuesFromCCompiler()
    XCTAssertEqual(Int(I2C_FUNCS), c["I2C_FUNCS"])
    XCTAssertEqual(Int(I2C_RDWR), c["I2C_RDWR"])
    XCTAssertEqual(Int(I2C_RDWR_IOCTL_MAX_MSGS), c["I2C_RDWR_IOCTL_MAX_MSGS"])
    XCTAssertEqual(Int(I2C_M_RD), c["I2C_M_RD"])
    XCTAssertEqual(Int(I2C_FUNC_I2C), c["I2C_FUNC_I2C"])
  }

  /// The values the kernel's ABI fixes (and <linux/i2c.h> promises for I2C_M_RD), independent of
  /// any compiler.
  func testRequestNumbersAndFlagsAreTheKernelABI() {
    XCTAssertEqual(I2C_FUNCS, 0x0705)
    XCTAssertEqual(I2C_RDWR, 0x0707)
    XCTAssertEqual(I2C_RDWR_IOCTL_MAX_MSGS, 42)
    XCTAssertEqual(I2C_M_RD, 0x0001)
    XCTAssertEqual(I2C_FUNC_I2C, 0x0000_0001)
  }

  private func isOnPath(_ command: String) -> Bool {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    return path.split(separator: ":").contains {
      FileManager.default.isExecutableFile(atPath: "\($0)/\(command)")
    }
  }

  /// Runs `executable` (a path, or a name looked up on PATH) and returns its standard output;
  /// fails the test if it exits non-zero.
  private func run(_ executable: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [executable] + arguments
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    XCTAssertEqual(process.terminationStatus, 0, "\(executable) \(arguments) failed")
    return String(decoding: data, as: UTF8.self)
  }
}
