import ApplianceCore
import BoardSupport
import SensorDrivers
import SimulatedBoard
import Time
import XCTest

/// The shipped fridge's SGP30 on the simulated bus, in simulated time: measured once a second,
/// as its datasheet asks, and published once per the profile's interval (10 s), at the end of
/// each interval, the mean of its measurements; its warm-up and its failures give no values.
///
/// The fridge's air rises steadily (TVOC by 1 ppb, CO2 by 2 ppm a second), so a mean is known
/// from which seconds of its interval the chip measured.
final class AveragedSGP30Tests: XCTestCase {
  /// The whole seconds at which the SGP30's measurements count: from the first after its 15 s
  /// warm-up (Init_air_quality goes out a few milliseconds after the start, so 15 s is still
  /// warming up), minus `excluded`.
  private func validSeconds(excluding excluded: Range<Int> = 0..<0) -> (Int) -> Bool {
    { second in second >= 16 && !excluded.contains(second) }
  }

  /// What the SGP30 should publish over `(0, end]` every `interval` seconds: at each interval's
  /// end the mean of the air at the seconds of the interval whose measurement counts, nothing
  /// for an interval with none.
  private func expected(
    every interval: Int, until end: Int, counting isValid: (Int) -> Bool
  ) -> [Publication] {
    stride(from: interval, through: end, by: interval).compactMap { intervalEnd in
      let seconds = (intervalEnd - interval..<intervalEnd).filter(isValid)
      guard !seconds.isEmpty else { return nil }
      let air = seconds.map { FridgeOnTheBench.air(atSecond: $0) }
      return Publication(
        at: .zero + .seconds(intervalEnd),
        tvoc: air.map(\.totalVOCPartsPerBillion).reduce(0, +) / Double(seconds.count),
        eco2: air.map(\.co2PartsPerMillion).reduce(0, +) / Double(seconds.count))
    }
  }

  func testTheSGP30IsMeasuredEverySecondAndPublishesTheMeanOfEachInterval() throws {
    var fridge = try FridgeOnTheBench()
    fridge.run(until: .zero + .seconds(600))
    // From 0 s (just after its probe and Init_air_quality) to 600 s, once a second.
    XCTAssertEqual(fridge.sgp30.measurementCount, 601)
    XCTAssertTrue(fridge.failures.isEmpty)
    let expected = expected(every: 10, until: 600, counting: validSeconds())
    // The first interval fell in the warm-up; the second has 16 s to 19 s.
    XCTAssertEqual(expected.count, 59)
    XCTAssertEqual(expected.first?.at, .zero + .seconds(20))
    XCTAssertEqual(expected.first?.tvoc, 117.5)
    XCTAssertEqual(fridge.published, expected)
    // It was told the humidity the SCD4x measured (4 °C, 85 %RH: 5.4 g/m3) all the while.
    let told = AbsoluteHumidity.gramsPerCubicMetre(
      temperatureCelsius: 4, relativeHumidityPercent: 85)
    XCTAssertEqual(
      Double(fridge.sgp30.model.absoluteHumidityFixedPoint), told * 256, accuracy: 3)
  }

  /// The chip drops off the bus for three turns: the interval it failed in publishes the mean
  /// of what it measured before, the ones of its new warm-up publish nothing, and no value
  /// stands in for the missing seconds.
  func testAFailingSGP30PublishesOnlyWhatItMeasured() throws {
    var fridge = try FridgeOnTheBench()
    fridge.run(until: .zero + .milliseconds(125_500))
    fridge.sgp30.faults.addressNAKsRemaining = 9  // every attempt of three turns
    fridge.run(until: .zero + .seconds(300))
    XCTAssertEqual(fridge.failures, [126, 127, 128].map { .zero + .seconds($0) })
    // Probed and initialized again at 129 s, so warming up until just after 144 s.
    let expected = expected(
      every: 10, until: 300, counting: validSeconds(excluding: 126..<145))
    let around = expected.map(\.at).filter {
      $0 > .zero + .seconds(120) && $0 <= .zero + .seconds(150)
    }
    XCTAssertEqual(around, [130, 150].map { .zero + .seconds($0) }, "none for 130 s to 140 s")
    XCTAssertEqual(expected.first { $0.at == .zero + .seconds(130) }?.tvoc, 222.5, "120 s to 125 s")
    XCTAssertEqual(fridge.published, expected)
  }

  /// `--interval 3`: the SGP30 is still measured once a second, and publishes the mean of
  /// three measurements every 3 s.
  func testAnIntervalOverrideSetsHowOftenTheMeansArePublished() throws {
    var fridge = try FridgeOnTheBench(interval: .seconds(3))
    fridge.run(until: .zero + .seconds(60))
    XCTAssertEqual(fridge.sgp30.measurementCount, 61)
    XCTAssertEqual(fridge.published, expected(every: 3, until: 60, counting: validSeconds()))
  }

  /// `--interval 1`: measured as often as it publishes, so each measurement is published as
  /// it finishes, 12 ms after it was sent (22 ms when the humidity went first).
  func testAnIntervalOfOneSecondPublishesEachMeasurement() throws {
    var fridge = try FridgeOnTheBench(interval: .seconds(1))
    fridge.run(until: .zero + .seconds(60))
    let seconds = Array(16...59)
    XCTAssertEqual(fridge.published.map(\.tvoc), seconds.map { 100 + Double($0) })
    XCTAssertEqual(fridge.published.map(\.eco2), seconds.map { 800 + 2 * Double($0) })
    for (publication, second) in zip(fridge.published, seconds) {
      let sent = Instant.zero + .seconds(second)
      XCTAssertTrue(
        [.milliseconds(12), .milliseconds(22)].contains(publication.at.duration(since: sent)),
        "\(publication)")
    }
  }
}

/// One publication of the SGP30: when, and its two values.
private struct Publication: Equatable {
  var at: Instant
  var tvoc: Double
  var eco2: Double
}

/// The shipped fridge profile's plan on a bus with its three chip models, the air rising
/// steadily with time.
private struct FridgeOnTheBench {
  let bus: SimulatedI2CBus
  let sgp30 = CountingSGP30()
  private var scheduler: SamplingScheduler
  /// What the SGP30 published.
  private(set) var published: [Publication] = []
  /// When the SGP30 failed.
  private(set) var failures: [Instant] = []

  /// The fridge's air at whole second `second`: 4 °C and 85 %RH, TVOC and CO2 rising.
  static func air(atSecond second: Int) -> PhysicalEnvironment {
    PhysicalEnvironment(
      temperatureCelsius: 4, relativeHumidityPercent: 85,
      co2PartsPerMillion: 800 + 2 * Double(second), totalVOCPartsPerBillion: 100 + Double(second))
  }

  /// The plan of `Sensors/fridge.json`, every interval replaced by `interval` if given.
  init(interval: Duration? = nil) throws {
    bus = SimulatedI2CBus(environment: Self.air(atSecond: 0))
    bus.attach(sgp30)
    bus.attach(SimulatedSCD4x())
    bus.attach(SimulatedBME280(address: I2CAddress(known: 0x77)))
    scheduler = SamplingPlan(profile: try shippedProfile("fridge"), interval: interval)
      .scheduler(start: .zero)
  }

  /// Polls at each deadline up to `end`, the air as it is at the deadline's whole second.
  mutating func run(until end: Instant) {
    var busReference = bus
    while scheduler.deadline <= end {
      let now = scheduler.deadline
      bus.now = now
      bus.environment = Self.air(atSecond: Int(now.duration(since: .zero).components.seconds))
      for event in scheduler.poll(on: &busReference, now: now) {
        switch event {
        case .sampled(SGP30.address, let values):
          XCTAssertEqual(values.map(\.sensorName), ["voc", "voc.eco2"])
          XCTAssertEqual(values.map(\.unit), ["ppb", "ppm"])
          guard values.count == 2 else { continue }
          published.append(Publication(at: now, tvoc: values[0].value, eco2: values[1].value))
        case .failed(SGP30.address, _): failures.append(now)
        case .sampled, .failed: continue
        }
      }
    }
  }
}

/// An SGP30 model that counts the Measure_air_quality commands it receives.
private final class CountingSGP30: SimulatedI2CChip {
  let model = SimulatedSGP30()
  private(set) var measurementCount = 0

  var address: I2CAddress { model.address }
  var faults: SimulatedChipFaults {
    get { model.faults }
    set { model.faults = newValue }
  }

  func receive(
    _ bytes: [UInt8], now: Instant, environment: PhysicalEnvironment
  ) throws(I2CError) {
    try model.receive(bytes, now: now, environment: environment)
    if bytes == [0x20, 0x08] { measurementCount += 1 }
  }

  func transmit(
    count: Int, now: Instant, environment: PhysicalEnvironment
  ) throws(I2CError) -> [UInt8] {
    try model.transmit(count: count, now: now, environment: environment)
  }

  func powerOn(now: Instant) {
    model.powerOn(now: now)
  }
}
