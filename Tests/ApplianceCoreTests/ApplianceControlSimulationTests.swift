import ApplianceCore
import ApplianceProfiles
import BoardSupport
import SensorDrivers
import SimulatedBoard
import Time
import XCTest

/// An appliance's control running the shipped profiles on the simulated board, in simulated
/// time: a hung chip brought back by a power cycle, the pump watering a drying pot, and a soil
/// sensor stuck on "dry" that cannot run the pump more than the cap allows.
final class ApplianceControlSimulationTests: XCTestCase {
  private let seesaw = I2CAddress(known: 0x36)
  private let analogProbe = I2CAddress(known: 0x48)

  private func at(_ seconds: Int) -> Instant {
    .zero + .seconds(Int64(seconds))
  }

  func testAHungChipAnswersAgainAfterThePowerIsCycled() throws {
    var appliance = try SimulatedAppliance(profile: shippedProfile("plant-pot"))
    appliance.run(until: at(290))
    appliance.chip(at: seesaw).hang()
    appliance.run(until: at(900))

    let failures = appliance.events.filter {
      if case .failed(seesaw, .notResponding) = $0.event { return true }
      return false
    }
    XCTAssertEqual(failures.map { $0.at }, [at(300), at(360), at(420)], "one a turn")
    // Unanswered from 300 s to 420 s: cut for 2 s, powered up for 1 s, then sampled again.
    XCTAssertEqual(
      appliance.actions.map { $0.action },
      [.cutSensorPower(unanswered: [seesaw]), .restoreSensorPower, .restartSampling])
    XCTAssertEqual(appliance.actions.map { $0.at }, [at(420), at(422), at(423)])
    XCTAssertFalse(
      appliance.events.contains { $0.at > at(420) && $0.at < at(423) }, "no sampling meanwhile")
    let afterwards = appliance.events.filter { $0.at >= at(423) }
    XCTAssertFalse(afterwards.isEmpty)
    for (_, event) in afterwards {
      guard case .sampled = event else { return XCTFail("\(event) after the power cycle") }
    }
    // Every chip was probed again at once, on a new grid from the restart.
    XCTAssertEqual(
      Set(afterwards.filter { $0.at < at(424) }.compactMap { $0.event.address }),
      [seesaw, analogProbe, I2CAddress(known: 0x77)])
    XCTAssertEqual(appliance.gpio.drivenLevel(of: SimulatedGPIOChip.Line.sensorPower), .high)
    XCTAssertEqual(appliance.control.sensorPower?.cycleCount, 1)
  }

  /// An SGP30 that hung is powered up again: it warms up anew, and the humidity it was told
  /// is sent again before its first measurement, since it forgot it with its power.
  func testAPowerCycledSGP30WarmsUpAgainAndIsToldTheHumidityAgain() throws {
    let fridgeAir = PhysicalEnvironment(
      temperatureCelsius: 4, relativeHumidityPercent: 85, co2PartsPerMillion: 900,
      totalVOCPartsPerBillion: 200)
    var appliance = try SimulatedAppliance(
      profile: shippedProfile("fridge"), environment: fridgeAir)
    let sgp30 = appliance.chip(at: SGP30.address) as! SimulatedSGP30
    appliance.run(until: at(60))
    // The SCD4x (co2, the profile's first hygrometer) measured 4 °C and 85 %RH: 5.4 g/m3.
    let expected = UInt16(
      (AbsoluteHumidity.gramsPerCubicMetre(temperatureCelsius: 4, relativeHumidityPercent: 85)
        * 256).rounded())
    XCTAssertEqual(Double(sgp30.absoluteHumidityFixedPoint), Double(expected), accuracy: 3)
    let toldBefore = sgp30.absoluteHumidityFixedPoint

    sgp30.hang()
    appliance.run(until: at(185))
    guard let restart = appliance.actions.first(where: { $0.action == .restartSampling })?.at
    else { return XCTFail("no power cycle: \(appliance.actions)") }
    // Its measurement sent at 60 s got no answer (60.012 s): unanswered from then to 181 s,
    // then 2 s off and 1 s to power up.
    XCTAssertEqual(restart, at(184))
    // The chip forgot the humidity with its power and was told it again at once, before the
    // SCD4x, restarted too, measured again.
    XCTAssertEqual(sgp30.absoluteHumidityFixedPoint, toldBefore)
    XCTAssertFalse(
      appliance.events.contains {
        if case .sampled(SCD4x.address, _) = $0.event { return $0.at > restart }
        return false
      })
    appliance.run(until: at(300))
    let tvoc = appliance.events.compactMap { entry -> Instant? in
      guard case .sampled(SGP30.address, let values) = entry.event, !values.isEmpty else {
        return nil
      }
      return entry.at
    }
    XCTAssertFalse(tvoc.contains { $0 > at(61) && $0 < restart + SGP30.warmUpDuration })
    XCTAssertTrue(tvoc.contains { $0 > restart + SGP30.warmUpDuration }, "measuring again")
  }

  func testThePumpWatersADryPotUntilTheAlertClears() throws {
    var pot = PlantPotModel(seed: 7, soilMoisturePercent: 24.5)
    var appliance = try SimulatedAppliance(profile: shippedProfile("plant-pot"), pot: pot)
    appliance.run(until: at(6 * 3600))

    let pumpActions = appliance.actions.filter {
      switch $0.action {
      case .startPump, .stopPump, .pumpCapped: return true
      case .alert, .cutSensorPower, .restoreSensorPower, .restartSampling: return false
      }
    }
    // Raised by the first reading; the pump waits out the start's soak, then runs 8 s, once.
    XCTAssertEqual(pumpActions.map { $0.action }, [.startPump(run: 1), .stopPump])
    XCTAssertEqual(pumpActions.map { $0.at }, [at(600), at(608)], "\(appliance.actions)")
    XCTAssertEqual(appliance.relayOnTime, .seconds(8))
    guard case .alert(.raised(let raised)) = appliance.actions.first?.action else {
      return XCTFail("\(appliance.actions)")
    }
    XCTAssertLessThan(raised.latestValue ?? 100, 25)
    let cleared = appliance.actions.first {
      if case .alert(.cleared) = $0.action { return true }
      return false
    }
    // By the first reading after the water landed (the pot's model adds it at its next step).
    XCTAssertTrue(
      (at(660)...at(661)).contains(try XCTUnwrap(cleared?.at)), "\(String(describing: cleared))")
    // 8 s of pumping added its 4 points, less what six hours of drying took.
    pot.advance(to: at(6 * 3600))
    let withoutPump = pot.environment.soilMoisturePercent
    let withPump = try XCTUnwrap(appliance.pot?.environment.soilMoisturePercent)
    XCTAssertEqual(
      withPump - withoutPump, 8 * PlantPotModel.pumpPercentagePointsPerSecond, accuracy: 0.3)
    XCTAssertGreaterThanOrEqual(withPump, 27)
  }

  /// A broken probe that reads dry for ever: the pump runs its 4 runs a day, not more,
  /// however long the fault lasts, and the cap is reported.
  func testASoilSensorStuckOnDryRunsThePumpAtMostTheCapADay() throws {
    var appliance = try SimulatedAppliance(
      profile: shippedProfile("plant-pot"), pot: PlantPotModel(seed: 8, soilMoisturePercent: 40))
    appliance.chip(at: seesaw).stick(at: PhysicalEnvironment(soilMoisturePercent: 10))
    appliance.run(until: at(2 * 86_400))

    let starts = appliance.actions.filter {
      if case .startPump = $0.action { return true }
      return false
    }.map { $0.at }
    XCTAssertEqual(starts.count, 8, "4 in each day")
    for (earlier, later) in zip(starts, starts.dropFirst(4)) {
      XCTAssertGreaterThanOrEqual(later.duration(since: earlier), PumpController.capWindow)
    }
    for (earlier, later) in zip(starts, starts.dropFirst()) {
      XCTAssertGreaterThanOrEqual(later.duration(since: earlier), .seconds(608), "run and soak")
    }
    XCTAssertEqual(appliance.relayOnTime, .seconds(8 * 8))
    XCTAssertTrue(appliance.actions.contains { $0.action == .pumpCapped })
    // The pot itself was watered all the same: the analog probe, which works, says so.
    let analogReadings = appliance.events.compactMap { entry -> Double? in
      guard case .sampled(analogProbe, let values) = entry.event else { return nil }
      return values.first?.value
    }
    XCTAssertGreaterThan(try XCTUnwrap(analogReadings.last), 45)
  }
}

/// An appliance's loop in simulated time, as the `appliance` executable runs it: at each
/// wake-up the control is polled first, the chips are sampled unless their power is off, what
/// they found goes to the control, and its actions are carried out on the simulated bus and
/// GPIO chip; a plant pot's model is moved on with the pump relay's level.
private struct SimulatedAppliance {
  let bus: SimulatedI2CBus
  /// The chip models on the bus.
  let chips: [any SimulatedI2CChip]
  private(set) var scheduler: SamplingScheduler
  private(set) var control: ApplianceControl
  private(set) var gpio = SimulatedGPIOChip()
  private(set) var pot: PlantPotModel?
  /// What the chips found, with when.
  private(set) var events: [(at: Instant, event: SamplingScheduler.Event)] = []
  /// What the control asked for, with when.
  private(set) var actions: [(at: Instant, action: ApplianceControl.Action)] = []
  /// How long the pump relay was high.
  private(set) var relayOnTime = Duration.zero
  private var relayOnSince: Instant?
  private let wallStart = UTCTime(millisecondsSinceEpoch: 1_795_000_000_000)

  /// The appliance of `profile` on a bus with a chip model at each sensor, measuring `pot`'s
  /// environment if there is a pot, `environment` otherwise.
  init(
    profile: SensorProfile, pot: PlantPotModel? = nil,
    environment: PhysicalEnvironment = PhysicalEnvironment()
  ) throws {
    bus = SimulatedI2CBus(environment: pot?.environment ?? environment)
    chips = profile.sensors.map { sensor -> any SimulatedI2CChip in
      switch (sensor.chip, sensor.options) {
      case (.seesaw, _): return SimulatedSeesawSoilSensor(address: sensor.address)
      case (.ads1115, .ads1115(let channel, _, _)):
        return SimulatedADS1115(address: sensor.address, probeChannel: channel)
      case (.ads1115, _): preconditionFailure("an ADS1115 has its options")
      case (.bme280, _): return SimulatedBME280(address: sensor.address)
      case (.bme680, _): return SimulatedBME680(address: sensor.address)
      case (.tmp105, _): return SimulatedTMP105(address: sensor.address)
      case (.sgp30, _): return SimulatedSGP30()
      case (.scd4x, _): return SimulatedSCD4x()
      case (.ccs811, _): return SimulatedCCS811(address: sensor.address)
      }
    }
    for chip in chips { bus.attach(chip) }
    let plan = SamplingPlan(profile: profile)
    scheduler = plan.scheduler(start: .zero)
    control = ApplianceControl(profile: profile, plan: plan, now: .zero)
    self.pot = pot
    try gpio.configure(
      line: SimulatedGPIOChip.Line.sensorPower,
      as: .output(initial: control.level(of: .sensorPower) ?? .high))
    try gpio.configure(
      line: SimulatedGPIOChip.Line.pumpRelay,
      as: .output(initial: control.level(of: .pumpRelay) ?? .low))
  }

  /// The chip model at `address`.
  func chip(at address: I2CAddress) -> any SimulatedI2CChip {
    guard let chip = chips.first(where: { $0.address == address }) else {
      preconditionFailure("no chip model at \(address)")
    }
    return chip
  }

  /// Wakes at each deadline up to `end`.
  mutating func run(until end: Instant) {
    while let next = Instant.earliest(
      control.isSamplingPaused ? nil : scheduler.deadline, control.deadline), next <= end
    {
      wake(at: next)
    }
  }

  private mutating func wake(at now: Instant) {
    if var pot {
      pot.advance(to: now, pumpRelay: gpio.drivenLevel(of: SimulatedGPIOChip.Line.pumpRelay))
      bus.environment = pot.environment
      self.pot = pot
    }
    bus.now = now
    let time = wallStart.advanced(by: now.duration(since: .zero))
    carryOut(control.poll(now: now, time: time), now: now)
    guard !control.isSamplingPaused else { return }
    var busReference = bus
    let found = scheduler.poll(on: &busReference, now: now)
    events += found.map { (now, $0) }
    carryOut(control.handle(found, now: now, time: time), now: now)
  }

  private mutating func carryOut(_ newActions: [ApplianceControl.Action], now: Instant) {
    for action in newActions {
      actions.append((now, action))
      switch action {
      case .alert, .pumpCapped: break
      case .cutSensorPower:
        try! gpio.set(line: SimulatedGPIOChip.Line.sensorPower, to: .low)
        bus.cutPower()
      case .restoreSensorPower:
        try! gpio.set(line: SimulatedGPIOChip.Line.sensorPower, to: .high)
        bus.restorePower()
      case .restartSampling:
        scheduler.restart(at: now)
      case .startPump:
        try! gpio.set(line: SimulatedGPIOChip.Line.pumpRelay, to: .high)
        relayOnSince = now
      case .stopPump:
        try! gpio.set(line: SimulatedGPIOChip.Line.pumpRelay, to: .low)
        relayOnTime += now.duration(since: relayOnSince!)
      }
    }
  }
}

extension SamplingScheduler.Event {
  /// The chip the event is about.
  fileprivate var address: I2CAddress {
    switch self {
    case .sampled(let address, _), .failed(let address, _): return address
    }
  }
}
