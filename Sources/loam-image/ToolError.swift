/// A failure the tool reports in one line and exits with: 2 for a wrong command line, 1 for
/// anything else.
struct ToolError: Error, CustomStringConvertible {
  let description: String
  let exitStatus: Int32

  init(_ description: String, exitStatus: Int32 = 1) {
    self.description = description
    self.exitStatus = exitStatus
  }

  static func usage(_ description: String) -> ToolError {
    ToolError(description, exitStatus: 2)
  }
}
