import Foundation
import XCTest

/// Runs `differential.py` (next to this file) with the `python3` found on PATH.
enum PythonOracle {
  /// The python3 executable, or nil if PATH has none.
  static let python: URL? = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    for directory in path.split(separator: ":") {
      let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent("python3")
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    return nil
  }()

  /// The oracle script.
  static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("differential.py")

  /// The python3 to use, or an `XCTSkip` that says why the test cannot run.
  static func requirePython() throws -> URL {
    guard let python else {
      print("skipping differential test: python3 not found on PATH")
      throw XCTSkip("python3 not found on PATH")
    }
    return python
  }

  /// Runs the script with `arguments`; returns its exit status and standard output.
  static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = try requirePython()
    process.arguments = [script.path] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }

  /// A fresh path in the temporary directory.
  static func temporaryFile(_ name: String) -> URL {
    FileManager.default.temporaryDirectory
      .appendingPathComponent(
        "json-differential-\(ProcessInfo.processInfo.processIdentifier)-\(name)")
  }
}
