import Net
import Time
import XCTest

/// Two of our stacks over the simulated wire transfer 4 MiB each way at once, byte-exact, under
/// 0, 2, 10 and 25 % loss with reordering and duplication, for many seeds; and leave no
/// connection or TIME-WAIT entry behind.
///
/// Loss L means: each frame is dropped with probability L, duplicated with L/4 and held back
/// (reordered) with L/2, in both directions, on a 100 Mbit/s wire with 1 ms latency. Every case
/// prints its seed and the simulated time it took, and a failure names its seed. To replay one
/// seed alone, in every transfer test of this class, set `LOAM_TCP_SEED`:
///
///     LOAM_TCP_SEED=7 swift test --filter TCPTransferTests
///
/// The same seed replays the same run exactly, frame for frame: the wire's faults and both
/// stacks' choices come from the seed and simulated time alone.
final class TCPTransferTests: XCTestCase {
  func testFourMebibytesEachWayWithoutLoss() throws {
    try transfers(size: 4 << 20, loss: 0, seeds: 1...2)
  }

  func testFourMebibytesEachWayAtTwoPercentLoss() throws {
    try transfers(size: 4 << 20, loss: 0.02, seeds: 1...2)
  }

  func testFourMebibytesEachWayAtTenPercentLoss() throws {
    try transfers(size: 4 << 20, loss: 0.10, seeds: 1...2)
  }

  func testFourMebibytesEachWayAtTwentyFivePercentLoss() throws {
    try transfers(size: 4 << 20, loss: 0.25, seeds: 1...2)
  }

  func testManySeedsOfSmallerTransfers() throws {
    for loss in [0, 0.02, 0.10, 0.25] {
      try transfers(size: 256 << 10, loss: loss, seeds: 3...10)
    }
  }

  /// Thousands of short request/response connections, every seventh reset by the client half
  /// way, with a TIME-WAIT table of 16: the table never outgrows its bound, and once TIME-WAIT
  /// has passed neither host holds a connection or a TIME-WAIT entry.
  func testThousandsOfConnectionsLeaveNothingBehind() throws {
    let timeWaitBound = 16
    var bed = try TCPTestBed(seed: 1) { $0.maximumTimeWaitConnections = timeWaitBound }
    let request = patternBytes(100, seed: 1)
    let response = patternBytes(300, seed: 2)
    for index in 0..<2_000 {
      let connection = try bed.connect()
      if index % 7 == 3 {
        bed.hosts.hosts[1].abortTCP(connection.client, now: bed.now)
        bed.hosts.run(for: .milliseconds(5))
        let status = bed.hosts.hosts[0].statusTCP(connection.server)
        XCTAssertEqual(status?.error, .reset, "connection \(index)")
        bed.hosts.hosts[0].closeTCP(connection.server, now: bed.now)
      } else {
        let received = try bed.exchange(
          connection, upload: request, download: response, within: .seconds(10))
        XCTAssertTrue(received.atServer == request, "connection \(index)")
        XCTAssertTrue(received.atClient == response, "connection \(index)")
        bed.hosts.hosts[0].closeTCP(connection.server, now: bed.now)
        bed.hosts.hosts[1].closeTCP(connection.client, now: bed.now)
      }
      for host in bed.hosts.hosts {
        XCTAssertLessThanOrEqual(host.tcpTimeWaitCount, timeWaitBound, "connection \(index)")
        XCTAssertLessThanOrEqual(host.tcpConnectionCount, 2, "connection \(index)")
      }
    }
    bed.drain(within: .seconds(10))
    for host in bed.hosts.hosts {
      XCTAssertEqual(host.tcpConnectionCount, 0)
      XCTAssertEqual(host.tcpTimeWaitCount, 0)
    }
  }

  // MARK: Helpers

  /// The seeds in `defaults`, or only the one in `LOAM_TCP_SEED` when it is set.
  private func seeds(_ defaults: ClosedRange<UInt64>) -> [UInt64] {
    if let text = ProcessInfo.processInfo.environment["LOAM_TCP_SEED"], let seed = UInt64(text) {
      return [seed]
    }
    return Array(defaults)
  }

  private func transfers(size: Int, loss: Double, seeds defaults: ClosedRange<UInt64>) throws {
    for seed in seeds(defaults) {
      try transfer(size: size, loss: loss, seed: seed)
    }
  }

  /// One transfer of `size` bytes each way, checked byte for byte, then a close and a check
  /// that both tables drained. Prints the seed and the simulated time taken.
  private func transfer(size: Int, loss: Double, seed: UInt64) throws {
    let label = "\(size >> 10) KiB each way, loss \(loss), seed \(seed)"
    var bed = try TCPTestBed(
      loss: loss, duplication: loss / 4, reordering: loss / 2, seed: seed)
    let upload = patternBytes(size, seed: seed)
    let download = patternBytes(size, seed: seed &+ 1)
    let start = bed.now
    let connection: (server: TCPSocketHandle, client: TCPSocketHandle)
    let received: (atServer: [UInt8], atClient: [UInt8])
    do {
      connection = try bed.connect()
      received = try bed.exchange(
        connection, upload: upload, download: download, within: .seconds(6 * 3600))
    } catch {
      XCTFail("\(label): \(error)")
      return
    }
    let elapsed = bed.now.duration(since: start)
    XCTAssertTrue(received.atServer == upload, "upload differs; \(label)")
    XCTAssertTrue(received.atClient == download, "download differs; \(label)")
    bed.closeAndDrain(connection)
    for host in bed.hosts.hosts {
      XCTAssertEqual(host.tcpConnectionCount, 0, "connections left; \(label)")
      XCTAssertEqual(host.tcpTimeWaitCount, 0, "TIME-WAIT entries left; \(label)")
    }
    print("TCPTransferTests: \(label): \(elapsed) simulated")
  }
}
