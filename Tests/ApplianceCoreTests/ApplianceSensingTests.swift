import ApplianceCore
import ApplianceProfiles
import BoardSupport
import SimulatedBoard
import Time
import XCTest

/// `ApplianceSensing` on a `HardwareApplianceBoard`, as a Pi has it, with chip models on the bus
/// and a GPIO chip that records what is driven: what it logs, what it drives and when it wants
/// to run.
final class ApplianceSensingTests: XCTestCase {
  private let seesaw = I2CAddress(known: 0x36)

  /// Lines as the `sim` board wires the roles.
  private static let board = """
    {"board": "test", "model": "test", "soc": "test", "i2c_buses": [{"bus": 1}],
     "gpio": {"chip": "test", "free_lines": [{"line": 0}, {"line": 1}, {"line": 2}],
              "role_lines": {"status-led": 0, "sensor-power": 1, "pump-relay": 2}}}
    """

  private final class LineLog {
    var driven: [(line: Int, level: GPIOLevel)] = []
  }

  /// Outputs only; each level driven is logged.
  private struct RecordingGPIOChip: GPIOChip {
    let log: LineLog
    mutating func configure(line: Int, as configuration: GPIOLineConfiguration) throws(GPIOError) {
      guard case .output(let initial) = configuration else { throw .wrongConfiguration(line) }
      log.driven.append((line, initial))
    }
    mutating func set(line: Int, to level: GPIOLevel) throws(GPIOError) {
      log.driven.append((line, level))
    }
    mutating func level(of line: Int) throws(GPIOError) -> GPIOLevel {
      log.driven.last { $0.line == line }?.level ?? .low
    }
    mutating func nextEdgeEvent() -> GPIOEdgeEvent? { nil }
  }

  private struct Appliance {
    let sensing: ApplianceSensing
    let bus: SimulatedI2CBus
    let soilSensor: SimulatedSeesawSoilSensor
    let lines: LineLog
    let logged: LogLines
  }

  private final class LogLines {
    var lines: [String] = []
  }

  /// The plant pot with chip models at the seesaw and the BME280, and at the ADS1115 if
  /// `withAnalogProbe`.
  private func plantPot(withAnalogProbe: Bool) throws -> Appliance {
    let profile = try shippedProfile("plant-pot")
    let board = try BoardDescription.parse(Array(Self.board.utf8), fileName: "test.json")
    let bus = SimulatedI2CBus(environment: PhysicalEnvironment())
    let soilSensor = SimulatedSeesawSoilSensor(address: seesaw)
    bus.attach(soilSensor)
    bus.attach(SimulatedBME280(address: I2CAddress(known: 0x77)))
    if withAnalogProbe {
      bus.attach(SimulatedADS1115(address: I2CAddress(known: 0x48), probeChannel: 0))
    }
    let plan = SamplingPlan(profile: profile)
    let lines = LineLog()
    let roleLines = try RoleLines(
      chip: RecordingGPIOChip(log: lines), roles: profile.gpioRoles, board: board)
    let hardware = HardwareApplianceBoard(
      name: "test", bus: bus, plan: plan, lines: roleLines, start: .zero)
    let logged = LogLines()
    let sensing = ApplianceSensing(
      applianceID: "pot", board: hardware,
      control: ApplianceControl(profile: profile, plan: plan, now: .zero),
      roles: profile.gpioRoles
    ) { logged.lines.append($0) }
    return Appliance(
      sensing: sensing, bus: bus, soilSensor: soilSensor, lines: lines, logged: logged)
  }

  /// Wakes at each deadline up to `end`; returns the readings' sensor names.
  private func run(_ appliance: Appliance, until end: Instant) -> [String] {
    var names: [String] = []
    var now = appliance.bus.now
    while now <= end {
      appliance.bus.now = now
      let time = UTCTime(millisecondsSinceEpoch: now.duration(since: .zero).millisecondsClamped)
      for case .sampled(_, let values) in appliance.sensing.poll(now: now, time: time) {
        names += values.map(\.sensorName)
      }
      let next = appliance.sensing.deadline
      XCTAssertGreaterThan(next, now, "a deadline in the past would spin")
      now = next
    }
    return names
  }

  func testStartPowersTheSensorsAndKeepsThePumpOff() throws {
    let appliance = try plantPot(withAnalogProbe: true)
    appliance.lines.driven = []
    appliance.sensing.start(now: .zero)
    XCTAssertEqual(appliance.lines.driven.map(\.line), [1, 2])
    XCTAssertEqual(appliance.lines.driven.map(\.level), [.high, .low])
  }

  func testAnAbsentChipIsLoggedOnceAndTheOthersAreRead() throws {
    let appliance = try plantPot(withAnalogProbe: false)
    appliance.sensing.start(now: .zero)
    let names = run(appliance, until: .zero + .seconds(130))
    XCTAssertEqual(
      appliance.logged.lines.filter { $0.hasPrefix("sensor at 0x48") },
      ["sensor at 0x48: no sensor answers at 0x48; no readings from it until it answers again"])
    XCTAssertTrue(names.contains("soil"), "\(names)")
    XCTAssertTrue(names.contains("air"), "\(names)")
    XCTAssertFalse(names.contains("soil-analog"), "\(names)")
    // Two minutes without an answer: a power cycle, in case the chip is hung rather than absent.
    XCTAssertTrue(
      appliance.logged.lines.contains(
        "cutting the sensors' power for a moment: no answer from 0x48 for 120 s (power cycle 1)"),
      "\(appliance.logged.lines)")
  }

  /// A chip that hangs: logged once; after two minutes without an answer the sensors' line goes
  /// low, then high, every chip is probed again, and the chip, which a real power cycle would
  /// have reset (here it is unplugged and plugged in meanwhile), is logged as answering again.
  func testAHungChipCutsTheSensorsPowerAndIsLoggedWhenItAnswersAgain() throws {
    let appliance = try plantPot(withAnalogProbe: true)
    appliance.sensing.start(now: .zero)
    _ = run(appliance, until: .zero + .seconds(290))
    let chip = appliance.soilSensor
    chip.hang()
    appliance.lines.driven = []
    _ = run(appliance, until: .zero + .seconds(421))
    XCTAssertEqual(appliance.lines.driven.map(\.line), [1], "the sensors' line only")
    XCTAssertEqual(appliance.lines.driven.map(\.level), [.low])
    chip.unplug()
    chip.plugIn(now: .zero + .seconds(421))
    _ = run(appliance, until: .zero + .seconds(430))
    XCTAssertEqual(appliance.lines.driven.map(\.level), [.low, .high])
    let logged = appliance.logged.lines.drop { !$0.hasPrefix("sensor at 0x36") }
    XCTAssertEqual(
      Array(logged.prefix(4)),
      [
        "sensor at 0x36: no sensor answers at 0x36; no readings from it until it answers again",
        "cutting the sensors' power for a moment: no answer from 0x36 for 120 s (power cycle 1)",
        "sensors powered again; probing every chip",
        "sensor at 0x36 answers again",
      ])
  }
}
