import Net
import Time
import XCTest

/// A frame to `destination` from `source` (MAC addresses 02:00:00:00:00:xx) carrying `number`
/// in its two bytes after the addresses, padded to `length`.
private func frame(to destination: UInt8, from source: UInt8, number: Int, length: Int = 64)
  -> [UInt8]
{
  var bytes: [UInt8] = [2, 0, 0, 0, 0, destination, 2, 0, 0, 0, 0, source]
  bytes += [UInt8(truncatingIfNeeded: number >> 8), UInt8(truncatingIfNeeded: number)]
  bytes += Array(repeating: 0xA5, count: length - bytes.count)
  return bytes
}

private let broadcast: UInt8 = 0xFF

/// The positions (byte × 8 + bit) where two equally long frames differ.
private func differingBits(_ first: [UInt8], _ second: [UInt8]) -> [Int] {
  precondition(first.count == second.count)
  var positions: [Int] = []
  for index in first.indices {
    let difference = first[index] ^ second[index]
    for bit in 0..<8 where difference >> bit & 1 == 1 {
      positions.append(index * 8 + bit)
    }
  }
  return positions
}

/// One delivery: which port, when, and what.
private struct Delivery: Equatable {
  var port: Int
  var time: Instant
  var bytes: [UInt8]
}

extension SimulatedWire {
  /// Advances time from delivery to delivery until the wire is idle, receiving at every port.
  fileprivate mutating func drain(_ ports: [PortID]) -> [Delivery] {
    var deliveries: [Delivery] = []
    while let time = nextDeliveryTime {
      for port in ports {
        deliveries += receiveAll(at: port, now: time)
      }
    }
    return deliveries
  }

  /// Receives every frame due at `port` by `now`, stamping each with `now`.
  fileprivate mutating func receiveAll(at port: PortID, now: Instant) -> [Delivery] {
    var deliveries: [Delivery] = []
    while let bytes = receive(at: port, now: now) {
      deliveries.append(Delivery(port: port.index, time: now, bytes: bytes))
    }
    return deliveries
  }
}

private func microseconds(_ count: UInt64) -> Instant {
  Instant(nanoseconds: count * 1000)
}

final class SimulatedWireTests: XCTestCase {
  func testPerfectHubDeliversToEveryOtherPortInOrderAfterTheLatency() {
    var configuration = SimulatedWireConfiguration()
    configuration.forwarding = .hub
    var wire = SimulatedWire(configuration: configuration, seed: 1)
    let (a, b, c) = (wire.attach(), wire.attach(), wire.attach())
    for number in 0..<5 {
      wire.send(frame(to: 2, from: 1, number: number), from: a, now: microseconds(10))
    }
    XCTAssertEqual(wire.nextDeliveryTime, microseconds(110))
    XCTAssertEqual(wire.nextDeliveryTime(at: b), microseconds(110))
    XCTAssertNil(wire.nextDeliveryTime(at: a))
    XCTAssertNil(wire.receive(at: b, now: microseconds(109)), "early")
    for port in [b, c] {
      for number in 0..<5 {
        XCTAssertEqual(
          wire.receive(at: port, now: microseconds(110)), frame(to: 2, from: 1, number: number))
      }
      XCTAssertNil(wire.receive(at: port, now: microseconds(999)))
    }
    XCTAssertNil(wire.receive(at: a, now: microseconds(999)), "a port never hears itself")
    XCTAssertNil(wire.nextDeliveryTime)
    XCTAssertEqual(wire.counters.sent, 5)
    XCTAssertEqual(wire.counters.delivered, 10)
  }

  func testLearningSwitchFloodsUntilItKnowsTheDestination() {
    var wire = SimulatedWire(seed: 1)
    let ports = [wire.attach(), wire.attach(), wire.attach()]
    // 1 → 2 before anyone has spoken: flooded to ports 1 and 2.
    wire.send(frame(to: 2, from: 1, number: 0), from: ports[0], now: .zero)
    XCTAssertEqual(wire.drain(ports).map(\.port), [1, 2])
    // 2 answers 1: port 0 is learned, so only port 0 hears it.
    wire.send(frame(to: 1, from: 2, number: 1), from: ports[1], now: .zero)
    XCTAssertEqual(wire.drain(ports).map(\.port), [0])
    // Now both are known: 1 → 2 goes to port 1 alone; a broadcast still floods.
    wire.send(frame(to: 2, from: 1, number: 2), from: ports[0], now: .zero)
    XCTAssertEqual(wire.drain(ports).map(\.port), [1])
    wire.send(frame(to: broadcast, from: 2, number: 3), from: ports[1], now: .zero)
    XCTAssertEqual(wire.drain(ports).map(\.port), [0, 2])
    // A frame too short to hold addresses floods rather than being misread.
    wire.send([1, 2, 3], from: ports[2], now: .zero)
    XCTAssertEqual(wire.drain(ports).map(\.port), [0, 1])
  }

  func testFramesSentAtTheSameInstantKeepTheirOrder() {
    var wire = SimulatedWire(seed: 3)
    let (a, b) = (wire.attach(), wire.attach())
    for number in 0..<100 {
      wire.send(
        frame(to: 2, from: 1, number: number), from: a, now: microseconds(UInt64(number / 10)))
    }
    let received = wire.drain([a, b])
    XCTAssertEqual(received.map(\.bytes), (0..<100).map { frame(to: 2, from: 1, number: $0) })
  }

  func testDropProbabilityLosesAboutThatShareOfFrames() {
    var configuration = SimulatedWireConfiguration()
    configuration.dropProbability = 0.1
    let (wire, delivered) = sendTenThousand(configuration)
    XCTAssertTrue((800...1200).contains(wire.counters.dropped), "\(wire.counters.dropped) dropped")
    XCTAssertEqual(delivered.count, 10_000 - wire.counters.dropped)
    XCTAssertEqual(wire.counters.delivered, delivered.count)
  }

  func testDuplicateProbabilityRepeatsAboutThatShareOfFrames() {
    var configuration = SimulatedWireConfiguration()
    configuration.duplicateProbability = 0.1
    let (wire, delivered) = sendTenThousand(configuration)
    let duplicated = wire.counters.duplicated
    XCTAssertTrue((800...1200).contains(duplicated), "\(duplicated) duplicated")
    XCTAssertEqual(delivered.count, 10_000 + duplicated)
    // Without delay a duplicate arrives right behind its original.
    var repeats = 0
    for (previous, next) in zip(delivered, delivered.dropFirst()) where previous.bytes == next.bytes
    {
      repeats += 1
    }
    XCTAssertEqual(repeats, duplicated)
  }

  func testCorruptionFlipsExactlyOneBit() {
    var configuration = SimulatedWireConfiguration()
    configuration.corruptProbability = 0.5
    var wire = SimulatedWire(configuration: configuration, seed: 5)
    let (a, b) = (wire.attach(), wire.attach())
    var flippedBits = Set<Int>()
    var corruptedFrames = 0
    for number in 0..<2000 {
      let original = frame(to: 2, from: 1, number: number, length: 16)
      wire.send(original, from: a, now: microseconds(UInt64(number)))
      guard let time = wire.nextDeliveryTime, let received = wire.receive(at: b, now: time) else {
        return XCTFail("frame \(number) was not delivered")
      }
      let differences = differingBits(original, received)
      XCTAssertLessThanOrEqual(differences.count, 1, "frame \(number)")
      if let bit = differences.first {
        corruptedFrames += 1
        flippedBits.insert(bit)
      }
    }
    XCTAssertEqual(corruptedFrames, wire.counters.corrupted)
    XCTAssertTrue((900...1100).contains(corruptedFrames), "\(corruptedFrames) corrupted")
    XCTAssertEqual(flippedBits.count, 16 * 8, "every bit of the frame gets flipped sometimes")
  }

  func testReorderingHoldsFramesBackWithinTheConfiguredDelay() {
    var configuration = SimulatedWireConfiguration()
    configuration.reorderProbability = 0.2
    configuration.reorderDelay = .microseconds(500)
    configuration.queueLimit = 1000
    var wire = SimulatedWire(configuration: configuration, seed: 11)
    let (a, b) = (wire.attach(), wire.attach())
    for number in 0..<1000 {
      wire.send(
        frame(to: 2, from: 1, number: number), from: a, now: microseconds(UInt64(number * 50)))
    }
    // Draining stamps each frame with its exact delivery time.
    let delivered = wire.drain([a, b])
    let numbers = delivered.map { Int($0.bytes[12]) << 8 | Int($0.bytes[13]) }
    XCTAssertEqual(numbers.sorted(), Array(0..<1000), "every frame arrives once")
    XCTAssertNotEqual(numbers, Array(0..<1000), "some frames overtake others")
    for (number, delivery) in zip(numbers, delivered) {
      let sent = microseconds(UInt64(number * 50))
      XCTAssertGreaterThanOrEqual(delivery.time, sent + .microseconds(100))
      XCTAssertLessThanOrEqual(delivery.time, sent + .microseconds(600))
    }
    XCTAssertTrue((160...240).contains(wire.counters.delayed), "\(wire.counters.delayed) delayed")
  }

  func testQueueLimitDropsFramesBeyondIt() {
    var configuration = SimulatedWireConfiguration()
    configuration.queueLimit = 10
    var wire = SimulatedWire(configuration: configuration, seed: 2)
    let (a, b) = (wire.attach(), wire.attach())
    for number in 0..<25 {
      wire.send(frame(to: 2, from: 1, number: number), from: a, now: .zero)
    }
    XCTAssertEqual(wire.counters.overflowed, 15)
    // Delivered but unread frames still hold their place in the queue.
    XCTAssertNotNil(wire.receive(at: b, now: microseconds(1000)))
    wire.send(frame(to: 2, from: 1, number: 25), from: a, now: microseconds(1000))
    wire.send(frame(to: 2, from: 1, number: 26), from: a, now: microseconds(1000))
    XCTAssertEqual(wire.counters.overflowed, 16)
    let numbers = wire.drain([a, b]).map { Int($0.bytes[13]) }
    XCTAssertEqual(numbers, Array(1..<10) + [25])
  }

  func testBitRateSpacesOutABurst() {
    var configuration = SimulatedWireConfiguration()
    configuration.bitsPerSecond = 12_000_000  // a 1500-byte frame takes exactly 1 ms
    var wire = SimulatedWire(configuration: configuration, seed: 2)
    let (a, b) = (wire.attach(), wire.attach())
    for number in 0..<4 {
      wire.send(frame(to: 2, from: 1, number: number, length: 1500), from: a, now: .zero)
    }
    let times = wire.drain([a, b]).map(\.time)
    XCTAssertEqual(times, [1100, 2100, 3100, 4100].map { microseconds($0) })
  }

  func testOversizedFramesAreRefusedAndCounted() {
    var wire = SimulatedWire(seed: 2)
    let (a, b) = (wire.attach(), wire.attach())
    wire.send(frame(to: 2, from: 1, number: 0, length: 1523), from: a, now: .zero)
    wire.send(frame(to: 2, from: 1, number: 1, length: 1522), from: a, now: .zero)
    XCTAssertEqual(wire.counters.oversized, 1)
    XCTAssertEqual(wire.drain([a, b]).map(\.bytes.count), [1522])
  }

  func testTheSameSeedReplaysExactlyAndAnotherSeedDiffers() {
    let first = faultyConversation(seed: 2024)
    let replay = faultyConversation(seed: 2024)
    let other = faultyConversation(seed: 2025)
    XCTAssertGreaterThan(first.deliveries.count, 1000)
    XCTAssertEqual(first.deliveries, replay.deliveries)
    XCTAssertEqual(first.counters, replay.counters)
    XCTAssertNotEqual(first.deliveries, other.deliveries)
  }

  /// Sends 10,000 frames from one port to another, 10 µs apart, and drains the wire.
  private func sendTenThousand(_ configuration: SimulatedWireConfiguration)
    -> (SimulatedWire, [Delivery])
  {
    var wire = SimulatedWire(configuration: configuration, seed: 99)
    let (a, b) = (wire.attach(), wire.attach())
    var delivered: [Delivery] = []
    for number in 0..<10_000 {
      let now = microseconds(UInt64(number * 10))
      wire.send(frame(to: 2, from: 1, number: number), from: a, now: now)
      delivered += wire.receiveAll(at: b, now: now)
    }
    delivered += wire.drain([a, b])
    return (wire, delivered)
  }

  /// Three ports chatter over a wire with every fault switched on, interleaving sends and
  /// receives as a simulation loop would.
  private func faultyConversation(seed: UInt64) -> (
    deliveries: [Delivery], counters: SimulatedWire.Counters
  ) {
    var configuration = SimulatedWireConfiguration()
    configuration.dropProbability = 0.1
    configuration.duplicateProbability = 0.1
    configuration.reorderProbability = 0.2
    configuration.corruptProbability = 0.05
    configuration.bitsPerSecond = 100_000_000
    configuration.queueLimit = 8
    var wire = SimulatedWire(configuration: configuration, seed: seed)
    let ports = [wire.attach(), wire.attach(), wire.attach()]
    var deliveries: [Delivery] = []
    for step in 0..<1000 {
      let now = microseconds(UInt64(step * 20))
      let sender = step % 3
      let destination = step % 7 == 0 ? broadcast : UInt8((sender + 1) % 3 + 1)
      wire.send(
        frame(to: destination, from: UInt8(sender + 1), number: step, length: 60 + step % 200),
        from: ports[sender], now: now)
      for port in ports {
        deliveries += wire.receiveAll(at: port, now: now)
      }
    }
    deliveries += wire.drain(ports)
    return (deliveries, wire.counters)
  }
}
