import DiskImage
import XCTest

final class ShortNameTests: XCTestCase {
  private func shortName(_ name: String, taken: Set<ShortName> = []) throws -> String {
    try ShortName.generated(for: name, avoiding: taken).displayName
  }

  /// mtools' mcopy gives these names the same short names (checked with `mcopy` and a
  /// directory dump while writing these tests).
  func testBasisNamesAndNumericTails() throws {
    XCTAssertEqual(try shortName("bcm2711-rpi-4-b.dtb"), "BCM271~1.DTB")
    XCTAssertEqual(try shortName("appliance.json"), "APPLIA~1.JSO")
    XCTAssertEqual(try shortName("LICENCE.broadcom"), "LICENC~1.BRO")
    XCTAssertEqual(try shortName("config.txt"), "CONFIG.TXT")
    XCTAssertEqual(try shortName("start4cd.elf"), "START4CD.ELF")
    XCTAssertEqual(try shortName("README"), "README")
  }

  func testLossyConversionsTakeATail() throws {
    XCTAssertEqual(try shortName("a+b.txt"), "A_B~1.TXT")
    XCTAssertEqual(try shortName("my file.txt"), "MYFILE~1.TXT")
    XCTAssertEqual(try shortName(".profile"), "PROFIL~1")
    XCTAssertEqual(try shortName("archive.tar.gz"), "ARCHIV~1.GZ")
  }

  func testTakenNamesMoveTheTailOn() throws {
    let first = try ShortName.generated(for: "bcm2711-rpi-4-b.dtb", avoiding: [])
    let second = try ShortName.generated(for: "bcm2711-rpi-400.dtb", avoiding: [first])
    XCTAssertEqual(second.displayName, "BCM271~2.DTB")
    let config = try ShortName.generated(for: "config.txt", avoiding: [])
    XCTAssertEqual(try shortName("Config.txt", taken: [config]), "CONFIG~1.TXT")
    var taken: Set<ShortName> = []
    for _ in 0..<10 {
      taken.insert(try ShortName.generated(for: "photograph.jpg", avoiding: taken))
    }
    // The tenth tail is two digits, so the base gives up one more character.
    XCTAssertTrue(taken.contains { $0.displayName == "PHOTO~10.JPG" })
  }

  /// The checksums mtools wrote into the long-name entries of these short names.
  func testChecksumsMatchMtools() throws {
    XCTAssertEqual(try ShortName.generated(for: "bcm2711-rpi-4-b.dtb", avoiding: []).checksum, 0x51)
    XCTAssertEqual(try ShortName.generated(for: "appliance.json", avoiding: []).checksum, 0x11)
    XCTAssertEqual(try ShortName.generated(for: "LICENCE.broadcom", avoiding: []).checksum, 0x67)
  }

  /// The specification's checksum, spelled as its C code does: rotate right, add.
  func testChecksumIsTheSpecificationsAlgorithm() throws {
    for name in ["kernel8.img", "fixup_cd.dat", "x", "bootcode.bin"] {
      let short = try ShortName.generated(for: name, avoiding: [])
      var sum: UInt8 = 0
      for byte in short.bytes {
        sum = ((sum & 1) != 0 ? 0x80 : 0) &+ (sum >> 1) &+ byte
      }
      XCTAssertEqual(short.checksum, sum, name)
      XCTAssertEqual(short.bytes.count, 11)
    }
  }

  func testLongNameEntriesOfAFourteenCharacterName() throws {
    let short = try ShortName.generated(for: "appliance.json", avoiding: [])
    let entries = LongNameEntries.entries(for: "appliance.json", shortName: short)
    XCTAssertEqual(entries.count, 2)
    XCTAssertEqual(entries.map { $0[0] }, [0x42, 0x01])
    for entry in entries {
      XCTAssertEqual(entry.count, 32)
      XCTAssertEqual(entry[11], 0x0F)
      XCTAssertEqual(entry[12], 0)
      XCTAssertEqual(entry[13], 0x11)
      XCTAssertEqual(Array(entry[26..<28]), [0, 0])
    }
    func characters(_ entry: [UInt8]) -> [UInt16] {
      [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30].map {
        UInt16(entry[$0]) | UInt16(entry[$0 + 1]) << 8
      }
    }
    XCTAssertEqual(characters(entries[1]), "appliance.jso".utf8.map { UInt16($0) })
    XCTAssertEqual(
      characters(entries[0]),
      [UInt16(UInt8(ascii: "n")), 0x0000] + [UInt16](repeating: 0xFFFF, count: 11))
  }

  func testANameOfExactlyThirteenCharactersHasNoTerminator() throws {
    let name = "thirteen.char"
    let entries = LongNameEntries.entries(
      for: name, shortName: try ShortName.generated(for: name, avoiding: []))
    XCTAssertEqual(entries.count, 1)
    XCTAssertEqual(entries[0][0], 0x41)
    XCTAssertEqual(Array(entries[0][30..<32]), [UInt8(ascii: "r"), 0])
  }

  func testLongNameValidity() {
    XCTAssertTrue(LongNameEntries.isValid("bcm2711-rpi-4-b.dtb"))
    XCTAssertTrue(LongNameEntries.isValid("a b;c=d[1].txt"))
    XCTAssertTrue(LongNameEntries.isValid(String(repeating: "x", count: 255)))
    for invalid in [
      "", ".", "..", "a/b", "a\\b", "what?", "star*", "colon:", "pipe|", "quote\"", "trailing.",
      "trailing ", "tab\there", "café", String(repeating: "x", count: 256),
    ] {
      XCTAssertFalse(LongNameEntries.isValid(invalid), invalid)
    }
  }
}
