/// `--name value` pairs after a subcommand, and the positional arguments among them.
struct CommandLineOptions {
  private var values: [String: String] = [:]
  private(set) var positional: [String] = []

  /// Parses `arguments`, accepting only the options named in `known`.
  init(_ arguments: [String], known: Set<String>) throws(ToolError) {
    var remaining = arguments[...]
    while let argument = remaining.popFirst() {
      guard argument.hasPrefix("--") else {
        positional.append(argument)
        continue
      }
      let name = String(argument.dropFirst(2))
      guard known.contains(name) else { throw .usage("unknown option \(argument)") }
      guard let value = remaining.popFirst() else { throw .usage("\(argument) needs a value") }
      values[name] = value
    }
  }

  func optional(_ name: String) -> String? { values[name] }

  func required(_ name: String) throws(ToolError) -> String {
    guard let value = values[name], !value.isEmpty else { throw .usage("--\(name) is required") }
    return value
  }
}
