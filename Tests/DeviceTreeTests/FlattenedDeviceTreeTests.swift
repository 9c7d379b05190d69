import DeviceTree
import Foundation
import XCTest

final class FlattenedDeviceTreeTests: XCTestCase {
  /// A small tree built by hand per the specification: `/` with `model`, `/chosen` with
  /// `bootargs`, and `/memory@40000000` with `device_type`.
  static let handBuilt: [UInt8] = {
    var writer = DeviceTreeBlobWriter()
    writer.beginNode("")
    writer.property("model", Array("loam,test".utf8) + [0])
    writer.beginNode("chosen")
    writer.property("bootargs", Array("loam.id=pot-2".utf8) + [0])
    writer.endNode()
    writer.beginNode("memory@40000000")
    writer.property("device_type", Array("memory".utf8) + [0])
    writer.nop()
    writer.endNode()
    writer.endNode()
    return writer.blob()
  }()

  func testPropertiesAreFoundByPath() {
    Self.handBuilt.withUnsafeBytes { bytes in
      guard let tree = FlattenedDeviceTree(blob: bytes) else { return XCTFail("not a tree") }
      XCTAssertEqual(tree.stringProperty("bootargs", ofNodeAt: "/chosen"), "loam.id=pot-2")
      XCTAssertEqual(tree.stringProperty("model", ofNodeAt: "/"), "loam,test")
      XCTAssertEqual(tree.stringProperty("device_type", ofNodeAt: "/memory@40000000"), "memory")
      XCTAssertNil(tree.property("bootargs", ofNodeAt: "/"), "a property of another node")
      XCTAssertNil(tree.property("model", ofNodeAt: "/chosen"))
      XCTAssertNil(tree.property("bootargs", ofNodeAt: "/chosen/missing"))
    }
  }

  func testQEMUsOwnTreeIsRead() throws {
    // The blob QEMU 10 hands a virt guest, dumped by QEMU itself. (QEMU 10.0.2 crashes when
    // asked to dump it together with -kernel and -append, so the boot arguments in it are
    // checked by booting the unikernel instead: UnikernelBootTests.)
    let qemu = "/usr/bin/qemu-system-aarch64"
    try XCTSkipUnless(
      FileManager.default.isExecutableFile(atPath: qemu),
      "\(qemu) is missing: `make deps` installs QEMU 10 from bookworm-backports")
    let dump = FileManager.default.temporaryDirectory
      .appendingPathComponent("loam-virt-\(UUID().uuidString).dtb")
    defer { try? FileManager.default.removeItem(at: dump) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: qemu)
    process.arguments = ["-M", "virt,dumpdtb=\(dump.path)", "-display", "none", "-nic", "none"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    let blob = try [UInt8](Data(contentsOf: dump))
    blob.withUnsafeBytes { bytes in
      guard let tree = FlattenedDeviceTree(blob: bytes) else { return XCTFail("not a tree") }
      XCTAssertEqual(tree.stringProperty("device_type", ofNodeAt: "/memory@40000000"), "memory")
      XCTAssertEqual(tree.stringProperty("stdout-path", ofNodeAt: "/chosen"), "/pl011@9000000")
      // A string list: two NUL-terminated strings, which is no single string.
      XCTAssertEqual(
        tree.property("compatible", ofNodeAt: "/pl011@9000000"),
        Array("arm,pl011\u{0}arm,primecell\u{0}".utf8))
      XCTAssertNil(tree.stringProperty("compatible", ofNodeAt: "/pl011@9000000"))
    }
  }

  func testDamagedTreesFindNothingAndNeverTrap() {
    var blob = Self.handBuilt
    // Every truncation.
    for length in 0..<blob.count {
      Array(blob[..<length]).withUnsafeBytes { bytes in
        if let tree = FlattenedDeviceTree(blob: bytes) {
          _ = tree.property("bootargs", ofNodeAt: "/chosen")
        }
      }
    }
    // Every single byte set to each of a few troublesome values.
    for index in blob.indices {
      let original = blob[index]
      for value: UInt8 in [0x00, 0x03, 0x7F, 0xFF] {
        blob[index] = value
        blob.withUnsafeBytes { bytes in
          _ = FlattenedDeviceTree(blob: bytes)?.stringProperty("bootargs", ofNodeAt: "/chosen")
        }
      }
      blob[index] = original
    }
    Array("not a tree at all, but long enough to be read".utf8).withUnsafeBytes {
      XCTAssertNil(FlattenedDeviceTree(blob: $0))
    }
  }

}
