import Net
import Time
import XCTest

/// Two of our stacks over the simulated wire transfer data both ways at once, byte-exact, under
/// loss, duplication and reordering, for many seeds; and leave no connection behind.
final class TCPTransferTests: XCTestCase {
  /// One transfer of `size` bytes each way; returns the simulated time it took. A failure names
  /// the seed, and running the same seed again replays it exactly.
  @discardableResult
  private func transfer(size: Int, loss: Double, seed: UInt64) throws -> Duration {
    var bed = try TCPTestBed(
      loss: loss, duplication: loss / 4, reordering: loss / 2, seed: seed)
    let connection = try bed.connect()
    let start = bed.now
    let upload = patternBytes(size, seed: seed)
    let download = patternBytes(size, seed: seed &+ 1)
    let received = try bed.exchange(
      connection, upload: upload, download: download, within: .seconds(3600))
    let elapsed = bed.now.duration(since: start)
    XCTAssertTrue(received.atServer == upload, "upload differs; loss \(loss), seed \(seed)")
    XCTAssertTrue(received.atClient == download, "download differs; loss \(loss), seed \(seed)")
    bed.closeAndDrain(connection)
    for host in bed.hosts.hosts {
      XCTAssertEqual(host.tcpConnectionCount, 0, "loss \(loss), seed \(seed)")
      XCTAssertEqual(host.tcpTimeWaitCount, 0, "loss \(loss), seed \(seed)")
    }
    return elapsed
  }

  func testFourMebibytesEachWayWithoutLoss() throws {
    let elapsed = try transfer(size: 4 << 20, loss: 0, seed: 1)
    print("TCPTransferTests: 4 MiB each way, no loss: \(elapsed) simulated")
  }
}
