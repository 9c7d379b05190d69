// libFuzzer entry point for the JSON parser (run with `scripts/fuzz json SECONDS`).
//
// Property: any input either fails to parse with an error, or parses to a value whose
// serialization parses back to the same value and serializes to the same bytes. Crashes,
// traps and sanitizer reports are findings.
import JSON

/// Called by libFuzzer once per input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  let value: JSONValue
  do {
    value = try JSONParser.parse(bytes)
  } catch {
    _ = error.description  // error messages must not crash either
    return 0
  }
  let serialized = value.serialized()
  do {
    let reparsed = try JSONParser.parse(serialized)
    precondition(reparsed == value, "round trip changed the value")
    precondition(reparsed.serialized() == serialized, "serialization is not stable")
  } catch {
    fatalError("the parser rejected the writer's output: \(error)")
  }
  return 0
}
