import Foundation
import Hashing

let usage = """
  usage: loam-image build --recipes FILE --board BOARD --app APP --kernel FILE --config FILE
                          --firmware DIR --name NAME --hub URL --out DIR
                          [--release-date YYYY-MM-DD] [--url-base URL]
         loam-image sha256 PATH [--length BYTES]
  """

do {
  let arguments = Array(CommandLine.arguments.dropFirst())
  switch arguments.first {
  case "build":
    try ImageBuild(arguments: Array(arguments.dropFirst())).run()
  case "sha256":
    let options = try CommandLineOptions(Array(arguments.dropFirst()), known: ["length"])
    guard options.positional.count == 1 else { throw ToolError.usage(usage) }
    let length = try options.optional("length").map { text throws(ToolError) in
      guard let value = UInt64(text) else { throw .usage("--length takes a byte count") }
      return value
    }
    print(hexadecimal(try FileDigest.sha256(of: options.positional[0], length: length)))
  default:
    throw ToolError.usage(usage)
  }
} catch let error as ToolError {
  FileHandle.standardError.write(Data("loam-image: \(error)\n".utf8))
  exit(error.exitStatus)
} catch {
  FileHandle.standardError.write(Data("loam-image: \(error.localizedDescription)\n".utf8))
  exit(1)
}
