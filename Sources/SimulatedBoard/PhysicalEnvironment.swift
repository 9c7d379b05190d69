// A simulated board for development and tests (nothing here touches hardware):
//
// - `SimulatedI2CBus` carries transactions to chip models that speak each chip's real byte
//   protocol: commands and registers, CRCs, conversion times (a read that comes too early gets
//   what the real chip gives then), and the SGP30's warm-up.
// - Each chip measures a `PhysicalEnvironment` that the test or the simulation sets; how that
//   environment changes over days (soil drying, food spoiling) is modelled elsewhere.
// - Each chip has `SimulatedChipFaults`: address NAKs, corrupted reads, stuck readings, and
//   being unplugged and plugged back in.
// - `SimulatedGPIOChip` has the lines an appliance uses.
//
// The chip models were written from the datasheets, like the drivers, but are a different
// reading of them (the BME280 model inverts the datasheet's floating-point formulas where the
// driver uses its integer ones), so a driver and its model are not the same code twice. Neither
// has been checked against real chips.

/// The physical quantities the simulated chips measure.
public struct PhysicalEnvironment: Equatable, Sendable {
  /// Air temperature, in degrees Celsius.
  public var temperatureCelsius: Double
  /// Relative humidity of the air, in percent.
  public var relativeHumidityPercent: Double
  /// Air pressure, in pascals.
  public var pressurePascals: Double
  /// CO2 concentration, in parts per million.
  public var co2PartsPerMillion: Double
  /// Total volatile organic compounds, in parts per billion.
  public var totalVOCPartsPerBillion: Double
  /// Volumetric water content of the soil around a moisture probe, in percent of saturation.
  public var soilMoisturePercent: Double

  /// An environment; the defaults are a room at sea level with a watered plant.
  public init(
    temperatureCelsius: Double = 21, relativeHumidityPercent: Double = 45,
    pressurePascals: Double = 101_325, co2PartsPerMillion: Double = 600,
    totalVOCPartsPerBillion: Double = 80, soilMoisturePercent: Double = 40
  ) {
    self.temperatureCelsius = temperatureCelsius
    self.relativeHumidityPercent = relativeHumidityPercent
    self.pressurePascals = pressurePascals
    self.co2PartsPerMillion = co2PartsPerMillion
    self.totalVOCPartsPerBillion = totalVOCPartsPerBillion
    self.soilMoisturePercent = soilMoisturePercent
  }
}
