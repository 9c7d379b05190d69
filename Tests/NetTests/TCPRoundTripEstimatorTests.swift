import Net
import XCTest

final class TCPRoundTripEstimatorTests: XCTestCase {
  func testBeforeAnySampleTheTimeoutIsOneSecond() {
    let estimator = TCPRoundTripEstimator()
    XCTAssertNil(estimator.smoothedRoundTrip)
    XCTAssertNil(estimator.roundTripVariation)
    XCTAssertEqual(estimator.retransmissionTimeout, .seconds(1))
    XCTAssertEqual(estimator.backoffCount, 0)
  }

  /// RFC 6298 section 2.2: SRTT = R, RTTVAR = R / 2, RTO = SRTT + 4 * RTTVAR.
  func testFirstSampleSetsSmoothedRoundTripAndHalfOfItAsVariation() {
    var estimator = TCPRoundTripEstimator()
    estimator.addSample(.milliseconds(100))
    XCTAssertEqual(estimator.smoothedRoundTrip, .milliseconds(100))
    XCTAssertEqual(estimator.roundTripVariation, .milliseconds(50))
    XCTAssertEqual(estimator.retransmissionTimeout, .milliseconds(300))
  }

  /// RFC 6298 section 2.3 with alpha 1/8 and beta 1/4, RTTVAR updated from the old SRTT.
  func testLaterSamplesAreSmoothed() {
    var estimator = TCPRoundTripEstimator()
    estimator.addSample(.milliseconds(100))
    estimator.addSample(.milliseconds(200))
    // RTTVAR = 3/4 * 50 + 1/4 * |100 - 200| = 62.5; SRTT = 7/8 * 100 + 1/8 * 200 = 112.5.
    XCTAssertEqual(estimator.roundTripVariation, .microseconds(62_500))
    XCTAssertEqual(estimator.smoothedRoundTrip, .microseconds(112_500))
    XCTAssertEqual(estimator.retransmissionTimeout, .microseconds(362_500))
    estimator.addSample(.milliseconds(100))
    // RTTVAR = 3/4 * 62.5 + 1/4 * 12.5 = 50; SRTT = 7/8 * 112.5 + 1/8 * 100 = 110.9375.
    XCTAssertEqual(estimator.roundTripVariation, .milliseconds(50))
    XCTAssertEqual(estimator.smoothedRoundTrip, .microseconds(110_937) + .nanoseconds(500))
  }

  func testTimeoutIsFlooredAtTheConfiguredMinimum() {
    var estimator = TCPRoundTripEstimator()
    estimator.addSample(.milliseconds(1))
    XCTAssertEqual(estimator.smoothedRoundTrip, .milliseconds(1))
    XCTAssertEqual(estimator.retransmissionTimeout, .milliseconds(200))

    var strict = TCPRoundTripEstimator(configuration: .init(minimum: .seconds(1)))
    strict.addSample(.milliseconds(100))
    XCTAssertEqual(strict.retransmissionTimeout, .seconds(1))

    var loose = TCPRoundTripEstimator(configuration: .init(minimum: .milliseconds(1)))
    loose.addSample(.milliseconds(1))
    XCTAssertEqual(loose.retransmissionTimeout, .milliseconds(3))
  }

  /// With a steady round trip RTTVAR decays, and G keeps the timeout above SRTT.
  func testClockGranularityBoundsTheVarianceTerm() {
    var estimator = TCPRoundTripEstimator(configuration: .init(minimum: .milliseconds(1)))
    for _ in 0..<40 { estimator.addSample(.milliseconds(10)) }
    XCTAssertEqual(estimator.smoothedRoundTrip, .milliseconds(10))
    XCTAssertLessThan(estimator.roundTripVariation!, .microseconds(1))
    XCTAssertEqual(estimator.retransmissionTimeout, .milliseconds(11))
  }

  func testTimeoutIsCappedAtSixtySeconds() {
    var estimator = TCPRoundTripEstimator()
    estimator.addSample(.seconds(30))
    XCTAssertEqual(estimator.retransmissionTimeout, .seconds(60))
  }

  func testBackOffDoublesUpToTheCeiling() {
    var estimator = TCPRoundTripEstimator()
    var expected: [Duration] = []
    var observed: [Duration] = []
    for exponent in 0..<8 {
      observed.append(estimator.retransmissionTimeout)
      expected.append(min(.seconds(1 << exponent), .seconds(60)))
      estimator.backOff()
    }
    XCTAssertEqual(observed, expected)
    XCTAssertEqual(estimator.backoffCount, 8)
    for _ in 0..<100 { estimator.backOff() }
    XCTAssertEqual(estimator.retransmissionTimeout, .seconds(60))
    XCTAssertEqual(estimator.backoffCount, TCPRoundTripEstimator.maximumBackoffCount)
  }

  func testNewSampleClearsTheBackoff() {
    var estimator = TCPRoundTripEstimator()
    estimator.addSample(.milliseconds(100))
    estimator.backOff()
    estimator.backOff()
    XCTAssertEqual(estimator.retransmissionTimeout, .milliseconds(1200))
    XCTAssertEqual(estimator.backoffCount, 2)
    estimator.addSample(.milliseconds(100))
    XCTAssertEqual(estimator.backoffCount, 0)
    // RTTVAR = 3/4 * 50 + 0 = 37.5, SRTT = 100: RTO = 250 ms.
    XCTAssertEqual(estimator.retransmissionTimeout, .milliseconds(250))
  }

  func testNegativeSampleCountsAsZero() {
    var estimator = TCPRoundTripEstimator()
    estimator.addSample(.milliseconds(-5))
    XCTAssertEqual(estimator.smoothedRoundTrip, .zero)
    XCTAssertEqual(estimator.retransmissionTimeout, .milliseconds(200))
  }
}
