import Foundation
import JSON
import XCTest

/// Compares the parser, the number conversion and the writer with Python's `json` and `float()`.
final class DifferentialTests: XCTestCase {
  /// Every decimal string must convert to the same bits as Python's correctly rounded `float()`,
  /// or be rejected as out of range where Python overflows to infinity.
  func testNumberConversionMatchesPythonFloat() throws {
    let (status, output) = try PythonOracle.run(["numbers", "8259", "6000"])
    XCTAssertEqual(status, 0)
    var checked = 0
    for line in output.split(separator: "\n") {
      let fields = line.split(separator: " ")
      XCTAssertEqual(fields.count, 2, "bad oracle line")
      guard fields.count == 2 else { continue }
      let text = String(fields[0])
      switch Self.parse(text) {
      case .success(.number(.integer(let integer))):
        // JSON integers stay integers; "-0" is the integer 0, as in Python's json.
        XCTAssertEqual(Double(integer), Self.pythonFloat(fields[1]), "\(text)")
      case .success(let value):
        XCTAssertEqual(
          value.doubleValue?.bitPattern, Self.pythonFloat(fields[1])?.bitPattern, "\(text)")
      case .failure(let error):
        XCTAssertEqual(fields[1], "inf", "\(text): \(error)")
        XCTAssertEqual(error.kind, .numberOutOfRange, "\(text)")
      }
      checked += 1
    }
    XCTAssertEqual(checked, 6000)
  }

  private static func parse(_ text: String) -> Result<JSONValue, JSONParseError> {
    Result { () throws(JSONParseError) in try JSONParser.parse(Array(text.utf8)) }
  }

  /// The oracle's bit pattern as a double; nil for "inf" (Python overflowed).
  private static func pythonFloat(_ field: Substring) -> Double? {
    UInt64(field, radix: 16).map { Double(bitPattern: $0) }
  }

  /// Random documents: ours must parse every valid one, and Python must read our serialization
  /// as exactly the value it read from the original. Every invalid one must be rejected by us;
  /// Python rejects them too except for the categories where it is knowingly lenient.
  func testDocumentsMatchPythonJSON() throws {
    let documentsPath = PythonOracle.temporaryFile("documents")
    let outputsPath = PythonOracle.temporaryFile("outputs")
    defer {
      try? FileManager.default.removeItem(at: documentsPath)
      try? FileManager.default.removeItem(at: outputsPath)
    }
    let generated = try PythonOracle.run(["generate", "1701", "4000", documentsPath.path])
    XCTAssertEqual(generated.status, 0)
    var outputs: [UInt8] = []
    var validCount = 0
    var invalidCount = 0
    for frame in try Self.frames(in: Array(Data(contentsOf: documentsPath))) {
      if frame.header[0] == "V" {
        validCount += 1
        do {
          let serialized = try JSONParser.parse(frame.document).serialized()
          outputs += Array("O \(serialized.count)\n".utf8) + serialized + [0x0A]
        } catch {
          XCTFail(
            "rejected valid document: \(error)\n\(String(decoding: frame.document, as: UTF8.self))")
        }
      } else {
        invalidCount += 1
        try checkInvalid(frame)
      }
    }
    XCTAssertGreaterThan(validCount, 2500)
    XCTAssertGreaterThan(invalidCount, 500)
    try Data(outputs).write(to: outputsPath)
    let checked = try PythonOracle.run(["check", documentsPath.path, outputsPath.path])
    XCTAssertEqual(checked.status, 0, checked.output)
  }

  /// Categories Python's `json.loads` accepts although RFC 8259 (or our stricter reading of it)
  /// does not: NaN and Infinity, lone surrogate escapes, duplicate keys (last one wins), and
  /// UTF-8 encoded surrogates (it decodes with "surrogatepass").
  private static let pythonAccepts: Set<String> = [
    "nan", "lone_surrogate", "duplicate_key", "utf8_surrogate",
  ]

  private func checkInvalid(_ frame: Frame) throws {
    let category = frame.header[1]
    let text = String(decoding: frame.document, as: UTF8.self)
    XCTAssertThrowsError(try JSONParser.parse(frame.document), "\(category) accepted: \(text)")
    let pythonAccepted = frame.header[2] == "1"
    XCTAssertEqual(
      pythonAccepted, Self.pythonAccepts.contains(category),
      "Python's verdict on \(category) changed: \(text)")
  }

  private struct Frame {
    var header: [String]
    var document: [UInt8]
  }

  /// Splits the oracle's framing: a header line ending in the length, the bytes, a newline.
  private static func frames(in data: [UInt8]) throws -> [Frame] {
    var frames: [Frame] = []
    var position = 0
    while position < data.count {
      let lineEnd = try XCTUnwrap(data[position...].firstIndex(of: 0x0A))
      let header = String(decoding: data[position..<lineEnd], as: UTF8.self)
        .split(separator: " ").map(String.init)
      let length = try XCTUnwrap(Int(header.last ?? ""))
      frames.append(
        Frame(header: header, document: Array(data[lineEnd + 1..<lineEnd + 1 + length])))
      position = lineEnd + 1 + length + 1
    }
    return frames
  }
}
