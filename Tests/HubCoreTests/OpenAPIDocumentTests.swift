import Foundation
import HubCore
import JSON
import XCTest

final class OpenAPIDocumentTests: XCTestCase {
  func testDocumentsExactlyTheRoutesTheServerHas() throws {
    let document = try JSONParser.parse(Array(OpenAPIDocument.json.utf8))
    let paths = try XCTUnwrap(document["paths"]?.objectValue)
    var documented = Set<String>()
    for path in paths.members {
      for method in try XCTUnwrap(path.value.objectValue).keys {
        documented.insert("\(method.uppercased()) \(path.key)")
      }
    }
    let routed = Set(HubEndpoint.routes.map { "\($0.method) \($0.pattern)" })
    XCTAssertEqual(documented, routed)
  }

  /// Validates the document with openapi-spec-validator, a validator no one here wrote.
  func testIsAValidOpenAPIDocument() throws {
    let python = URL(fileURLWithPath: #filePath)
      .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent(".build-venv/bin/python")
    guard FileManager.default.isExecutableFile(atPath: python.path) else {
      throw XCTSkip("\(python.path) is missing: run `make deps` to install the OpenAPI validator")
    }
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("loam-openapi.json")
    try Data(OpenAPIDocument.json.utf8).write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    let process = Process()
    process.executableURL = python
    process.arguments = [
      "-c",
      "import json, sys; from openapi_spec_validator import validate; "
        + "validate(json.load(open(sys.argv[1]))); print('valid')",
      file.path,
    ]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    process.waitUntilExit()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    XCTAssertEqual(process.terminationStatus, 0, text)
    XCTAssertEqual(text.trimmingCharacters(in: .whitespacesAndNewlines), "valid")
  }
}
