import BoardSupport
import SensorDrivers
import SimulatedBoard
import Time
import XCTest

final class SGP30Tests: XCTestCase {
  private var bus = SimulatedI2CBus()
  private var chip = SimulatedSGP30()
  private var driver = SGP30()

  override func setUp() {
    bus = SimulatedI2CBus(
      environment: PhysicalEnvironment(co2PartsPerMillion: 1250, totalVOCPartsPerBillion: 310))
    chip = SimulatedSGP30()
    bus.attach(chip)
    driver = SGP30()
  }

  private func initialize() throws(SensorError) {
    try complete(on: bus) { bus, now throws(SensorError) in
      try driver.initAirQuality(on: &bus, now: now)
    }
  }

  private func measure() throws(SensorError) -> SGP30AirQuality {
    try complete(on: bus) { bus, now throws(SensorError) in
      try driver.measureAirQuality(on: &bus, now: now)
    }
  }

  func testProbeReadsTheFeatureSetAndTheSerialNumber() throws {
    let featureSet = try complete(on: bus) { bus, now throws(SensorError) in
      try driver.probe(on: &bus, now: now)
    }
    XCTAssertEqual(featureSet, SGP30FeatureSet(productVersion: 0x22))
    let serial = try complete(on: bus) { bus, now throws(SensorError) in
      try driver.readSerialNumber(on: &bus, now: now)
    }
    XCTAssertEqual(serial, chip.serialNumber)
  }

  func testMeasurementWaitsTheDatasheetExecutionTime() throws {
    try initialize()
    bus.advance(by: .seconds(20))
    let start = bus.now
    var busReference = bus
    let first = try driver.measureAirQuality(on: &busReference, now: start)
    XCTAssertEqual(first, .wait(until: start.advanced(by: .milliseconds(12))))
    let transactions = bus.transactionCount
    // Called again too early, the driver touches no bus and asks for the same instant.
    let early = try driver.measureAirQuality(
      on: &busReference, now: start.advanced(by: .milliseconds(5)))
    XCTAssertEqual(early, first)
    XCTAssertEqual(bus.transactionCount, transactions)
  }

  func testWarmUpReadingsAreMarkedAndThenTheAirIsMeasured() throws {
    try initialize()
    bus.advance(by: .seconds(1))
    XCTAssertEqual(
      try measure(),
      SGP30AirQuality(
        co2EquivalentPartsPerMillion: 400, totalVOCPartsPerBillion: 0, isWarmingUp: true))
    bus.advance(by: .seconds(15))
    XCTAssertEqual(
      try measure(),
      SGP30AirQuality(
        co2EquivalentPartsPerMillion: 1250, totalVOCPartsPerBillion: 310, isWarmingUp: false))
  }

  func testAMeasurementSentJustBeforeTheEndOfWarmUpIsStillMarked() throws {
    try initialize()
    let initializedAt = bus.now.advanced(by: .milliseconds(-10))  // Init took 10 ms.
    bus.now = initializedAt.advanced(by: SGP30.warmUpDuration - .milliseconds(5))
    // Sent during the warm-up, read 12 ms later, after it: the chip's fixed values, marked.
    XCTAssertEqual(
      try measure(),
      SGP30AirQuality(
        co2EquivalentPartsPerMillion: 400, totalVOCPartsPerBillion: 0, isWarmingUp: true))
  }

  func testHumidityIsSentAsEightDotEightFixedPointWithItsCRC() throws {
    try complete(on: bus) { bus, now throws(SensorError) in
      try driver.setHumidity(gramsPerCubicMetre: 11.5, on: &bus, now: now)
    }
    XCTAssertEqual(chip.absoluteHumidityFixedPoint, 0x0B80)  // 11.5 * 256
  }

  /// Set_humidity's bytes on the wire: the command 0x2061, then the absolute humidity in g/m3
  /// as 8.8 fixed point (integer part in the high byte, 256ths in the low byte) and its CRC.
  /// Zero turns the compensation off.
  func testSetHumiditySendsTheCommandAndTheFixedPointWordWithItsCRC() throws {
    for (gramsPerCubicMetre, word, crc) in [
      (11.57, [UInt8(0x0B), 0x92], UInt8(0xC0)),  // 11.57 * 256 = 2961.92, rounded to 0x0B92
      (0, [0x00, 0x00], 0x81),
      (SGP30.absoluteHumidityMax, [0xFF, 0xFF], 0xAC),
    ] {
      var bus = WriteRecordingBus()
      var driver = SGP30()
      let step = try driver.setHumidity(
        gramsPerCubicMetre: gramsPerCubicMetre, on: &bus, now: .zero)
      guard case .wait(let until) = step else { return XCTFail("no wait for the command") }
      XCTAssertEqual(until, .zero + .milliseconds(10), "its execution time")
      XCTAssertEqual(bus.writes, [[0x20, 0x61] + word + [crc]], "\(gramsPerCubicMetre) g/m3")
    }
  }

  func testACorruptedWordIsReportedAndTheNextReadingIsFine() throws {
    try initialize()
    bus.advance(by: .seconds(16))
    chip.faults.corruptedReadsRemaining = 1
    assertThrows(.checksumMismatch) { () throws(SensorError) in
      try complete(on: bus) { bus, now throws(SensorError) in
        try driver.measureAirQuality(on: &bus, now: now)
      }
    }
    XCTAssertEqual(try measure().co2EquivalentPartsPerMillion, 1250)
  }

  func testTransientNAKsAreRetriedWithinTheBound() throws {
    chip.faults.addressNAKsRemaining = 2
    let before = bus.transactionCount
    try initialize()
    XCTAssertEqual(bus.transactionCount - before, 3, "two refused attempts, then the command")
  }

  func testNAKsBeyondTheBoundMeanTheSensorIsGone() {
    chip.faults.addressNAKsRemaining = 3
    assertThrows(.notResponding(SGP30.address)) { () throws(SensorError) in
      try initialize()
    }
  }

  func testAnInitThatNeverReachedTheChipStartsNoWarmUp() throws {
    chip.unplug()
    assertThrows(.notResponding(SGP30.address)) { () throws(SensorError) in try initialize() }
    chip.plugIn(now: bus.now)
    bus.advance(by: .seconds(20))
    XCTAssertTrue(try measure().isWarmingUp, "never initialized: the chip's values are not air")
  }

  func testUnpluggedChipIsReportedAndAfterReplugItWarmsUpAgain() throws {
    try initialize()
    bus.advance(by: .seconds(20))
    chip.unplug()
    assertThrows(.notResponding(SGP30.address)) { () throws(SensorError) in try measure() }
    chip.plugIn(now: bus.now)
    try initialize()
    XCTAssertTrue(try measure().isWarmingUp)
    XCTAssertEqual(try measure().co2EquivalentPartsPerMillion, 400)
  }

  func testAfterTheChipWasGoneItsReadingsCountAsWarmUpUntilInitAgain() throws {
    try initialize()
    bus.advance(by: .seconds(20))
    chip.unplug()
    assertThrows(.notResponding(SGP30.address)) { () throws(SensorError) in try measure() }
    chip.plugIn(now: bus.now)
    bus.advance(by: .seconds(20))
    // Power-cycled and never initialized again: the chip's 400 ppm is not a measurement.
    XCTAssertEqual(
      try measure(),
      SGP30AirQuality(
        co2EquivalentPartsPerMillion: 400, totalVOCPartsPerBillion: 0, isWarmingUp: true))
  }

  func testStuckReadingsRepeatWhateverTheAirDoes() throws {
    try initialize()
    bus.advance(by: .seconds(20))
    chip.stick(at: bus.environment)
    bus.environment.co2PartsPerMillion = 3000
    XCTAssertEqual(try measure().co2EquivalentPartsPerMillion, 1250)
    chip.faults.stuckEnvironment = nil
    XCTAssertEqual(try measure().co2EquivalentPartsPerMillion, 3000)
  }

  func testAnAbsentBusIsNotRetried() {
    bus.isPresent = false
    assertThrows(.busFailed(.busAbsent)) { () throws(SensorError) in try initialize() }
    XCTAssertEqual(bus.transactionCount, 1)
  }
}

/// A bus that records the bytes written to it and acknowledges everything.
private struct WriteRecordingBus: I2CBus {
  var writes: [[UInt8]] = []

  mutating func perform(_ transaction: I2CTransaction) throws(I2CError) -> [UInt8] {
    for case .write(let bytes) in transaction.messages { writes.append(bytes) }
    return [UInt8](repeating: 0, count: transaction.readCount)
  }
}
