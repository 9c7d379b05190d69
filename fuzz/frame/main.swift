// libFuzzer entry point for everything the stack parses from the wire (run with
// `scripts/fuzz frame SECONDS`): an input is an Ethernet frame, taken apart layer by layer as
// the interface will, with every payload also offered to the parsers of the protocols that ride
// on UDP (DHCP, DNS). Any input must either be rejected with a `WireError` or parse; parsed
// headers must emit bytes that parse back to the same header. Traps and sanitizer reports are
// findings.
import Net
import Time

/// Called by libFuzzer once per input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let frame = Array(UnsafeBufferPointer(start: data, count: size))
  guard let (ethernet, payload) = try? EthernetHeader.parse(frame[...]) else { return 0 }
  var emitted: [UInt8] = []
  ethernet.emit(payload: payload, into: &emitted)
  precondition((try? EthernetHeader.parse(emitted[...]))?.header == ethernet, "Ethernet round trip")
  switch ethernet.etherType {
  case .arp: _ = try? ARPPacket.parse(payload)
  case .ipv4: takeApartIPv4(payload)
  default: break
  }
  return 0
}

private func takeApartIPv4(_ bytes: ArraySlice<UInt8>) {
  guard let (header, payload) = try? IPv4Header.parse(bytes) else { return }
  // Twice, as a duplicated fragment would arrive; reassembly must stay within its limits.
  var reassembler = IPv4Reassembler()
  for _ in 0..<2 {
    _ = reassembler.accept(header, payload: payload, now: .zero)
    precondition(reassembler.bytesHeld <= reassembler.limits.maximumBytes, "reassembly bound")
  }
  switch header.payloadProtocol {
  case .icmp: _ = try? ICMPv4Message.parse(payload)
  case .tcp:
    _ = try? TCPHeader.parse(payload, source: header.source, destination: header.destination)
  case .udp:
    guard
      let (_, datagram) = try? UDPHeader.parse(
        payload, source: header.source, destination: header.destination)
    else { return }
    _ = try? DHCPMessage.parse(datagram)
    _ = try? DNSMessage.parse(datagram)
  default: break
  }
}
