import ApplianceCore
import BoardSupport
import SensorDrivers
import SimulatedBoard
import Time

/// The `sim` board: a `SimulatedI2CBus` with the chip models an appliance kind carries, read by
/// the real drivers through a `SamplingScheduler`, measuring a `PhysicalEnvironment` that the
/// stand-in models (`SimulatedEnvironment`) move along.
///
/// - plant-pot: a seesaw soil sensor (`soil`, soil moisture) and a BME280 (`air`, temperature);
/// - fridge: a BME280 (`air` temperature, `humidity`) and an SGP30 (`voc` TVOC, `co2` eCO2).
///
/// Everything here is simulated: the chips are models written from the datasheets, and the
/// values they measure come from the stand-in models, not from soil or a fridge.
final class SimulatedApplianceBoard {
  private var bus: SimulatedI2CBus
  private var scheduler: SamplingScheduler
  private var environment: SimulatedEnvironment
  private var environmentAt: Instant
  /// The chips on the bus, for the appliance's health report.
  let chips: [(address: I2CAddress, name: String)]

  /// The board for `environment.kind`, each chip measuring every `interval` from `start`.
  init(environment: SimulatedEnvironment, interval: Duration, start: Instant) {
    self.environment = environment
    environmentAt = start
    bus = SimulatedI2CBus(now: start)
    var chips: [SampledChip] = []
    switch environment.kind {
    case .plantPot:
      bus.attach(SimulatedSeesawSoilSensor())
      bus.attach(SimulatedBME280())
      let calibration = MoistureCalibration(
        dry: SimulatedSeesawSoilSensor.dryCount, wet: SimulatedSeesawSoilSensor.wetCount)
      chips = [
        SampledChip(
          .seesawSoil(SeesawSoilSensor(), calibration: calibration, soilSensorName: "soil")),
        SampledChip(.bme280(BME280(), temperatureSensorName: "air", humiditySensorName: nil)),
      ]
    case .fridge:
      bus.attach(SimulatedBME280())
      bus.attach(SimulatedSGP30())
      chips = [
        SampledChip(
          .bme280(BME280(), temperatureSensorName: "air", humiditySensorName: "humidity")),
        SampledChip(.sgp30(SGP30(), tvocSensorName: "voc", eco2SensorName: "co2")),
      ]
    }
    self.chips = chips.map { ($0.address, $0.chipName) }
    scheduler = SamplingScheduler(
      chips: chips.map { chip in
        // The SGP30's datasheet asks for Measure_air_quality once a second, which its dynamic
        // baseline compensation relies on; the other chips measure at the appliance's interval.
        let isSGP30: Bool
        if case .sgp30 = chip.driver { isSGP30 = true } else { isSGP30 = false }
        return (chip, isSGP30 ? min(interval, .seconds(1)) : interval)
      }, start: start)
    moveEnvironment(to: start)
  }

  /// When `poll` should be called next.
  var deadline: Instant { scheduler.deadline }

  /// Moves the physical world on to `now` and runs every chip that is due.
  func poll(now: Instant) -> [SamplingScheduler.Event] {
    moveEnvironment(to: now)
    bus.now = now
    return scheduler.poll(on: &bus, now: now)
  }

  private func moveEnvironment(to now: Instant) {
    let seconds = Double(now.duration(since: environmentAt).nanosecondsClamped) / 1e9
    environmentAt = now
    var physical = bus.environment
    for value in environment.advance(realSeconds: seconds) {
      switch value.quantity {
      case "soil_moisture": physical.soilMoisturePercent = value.value
      case "temperature": physical.temperatureCelsius = value.value
      case "humidity": physical.relativeHumidityPercent = value.value
      case "tvoc": physical.totalVOCPartsPerBillion = value.value
      case "eco2": physical.co2PartsPerMillion = value.value
      default: preconditionFailure("the stand-in models a quantity no chip measures")
      }
    }
    bus.environment = physical
  }
}
