// libFuzzer entry point for the TCP header parser (run with `scripts/fuzz tcp SECONDS`).
//
// Property: any input either fails to parse with an error, or parses to a header that emits
// bytes which parse back to the same header and payload. Each input is tried twice: as it is
// (which exercises the checksum check) and with its checksum corrected, so that the fuzzer
// reaches the data offset, flag and option checks behind it. Crashes, traps and sanitizer
// reports are findings.
import Net

private let source = IPv4Address(192, 0, 2, 1)
private let destination = IPv4Address(198, 51, 100, 7)

/// Called by libFuzzer once per input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  checkRoundTrip(bytes)
  if bytes.count >= TCPHeader.minimumLength && bytes.count <= 0xFFFF {
    checkRoundTrip(withCorrectChecksum(bytes))
  }
  return 0
}

private func checkRoundTrip(_ bytes: [UInt8]) {
  let parsed: (header: TCPHeader, payload: ArraySlice<UInt8>)
  do {
    parsed = try TCPHeader.parse(bytes[...], source: source, destination: destination)
  } catch {
    _ = error.description  // error messages must not crash either
    return
  }
  var emitted: [UInt8] = []
  parsed.header.emit(
    payload: parsed.payload, source: source, destination: destination, into: &emitted)
  do {
    let reparsed = try TCPHeader.parse(emitted[...], source: source, destination: destination)
    precondition(reparsed.header == parsed.header, "round trip changed the header")
    precondition(reparsed.payload.elementsEqual(parsed.payload), "round trip changed the payload")
  } catch {
    fatalError("the parser rejected the emitter's output: \(error)")
  }
}

/// `bytes` with the checksum field set to what the pseudo-header and contents need.
private func withCorrectChecksum(_ bytes: [UInt8]) -> [UInt8] {
  var segment = bytes
  segment[16] = 0
  segment[17] = 0
  var checksum = InternetChecksum()
  checksum.add(source.octets + destination.octets + [0, 6])  // 6: TCP's IP protocol number
  checksum.add(UInt16(segment.count))
  checksum.add(segment)
  segment[16] = UInt8(checksum.value >> 8)
  segment[17] = UInt8(checksum.value & 0xFF)
  return segment
}
