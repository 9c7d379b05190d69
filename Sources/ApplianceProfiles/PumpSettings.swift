import JSON

/// How the appliance runs its watering pump (the `pump-relay` GPIO role): when the soil is
/// dry, the relay is switched on for `runSeconds`, then the water soaks in for `soakSeconds`
/// before the next decision, and the pump runs at most `runsPerDayMax` times in any 24 hours.
///
/// ```json
/// "pump": {"run_seconds": 8, "soak_seconds": 600, "runs_per_day_max": 4}
/// ```
///
/// Every member is optional; a profile with the `pump-relay` role and no `pump` member gets the
/// defaults. The bounds keep a mistake from flooding a pot: a run is at most a minute, and
/// however the soil reads (a broken probe reads dry for ever), the pump runs at most
/// `runsPerDayMax` times `runSeconds` a day.
public struct PumpSettings: Equatable, Sendable {
  /// How long the relay stays on for one watering, in seconds.
  public var runSeconds: Int
  /// How long after a run the water is left to soak in before the soil is judged again, in
  /// seconds; at least the interval of the soil sensors, so that a reading taken after the
  /// water soaked in decides.
  public var soakSeconds: Int
  /// The most runs in any 24 hours.
  public var runsPerDayMax: Int

  /// The accepted run times: a small pump moves some 20 to 50 ml a second, so a minute is
  /// already more than a pot takes at once.
  public static let runSecondsRange = 1...60
  /// The accepted soak times, a minute to a day.
  public static let soakSecondsRange = 60...86_400
  /// The accepted caps on runs a day.
  public static let runsPerDayMaxRange = 1...24

  /// Settings with the defaults for what is not given: 8 s runs (a glass of water from a
  /// small pump), 10 minutes' soak, at most 4 runs a day.
  public init(runSeconds: Int = 8, soakSeconds: Int = 600, runsPerDayMax: Int = 4) {
    precondition(Self.runSecondsRange.contains(runSeconds))
    precondition(Self.soakSecondsRange.contains(soakSeconds))
    precondition(Self.runsPerDayMaxRange.contains(runsPerDayMax))
    self.runSeconds = runSeconds
    self.soakSeconds = soakSeconds
    self.runsPerDayMax = runsPerDayMax
  }
}

extension PumpSettings: JSONDecodable {
  /// Decodes the settings, each within its bounds; whether the profile may have a pump is
  /// checked by the profile.
  public init(json: JSONValue) throws(JSONDecodingError) {
    let object = try JSONObject(json: json)
    try object.rejectUnknownKeys(allowed: ["run_seconds", "soak_seconds", "runs_per_day_max"])
    let defaults = PumpSettings()
    self.init(
      runSeconds: try object.decodeIntegerIfPresent("run_seconds", in: Self.runSecondsRange)
        ?? defaults.runSeconds,
      soakSeconds: try object.decodeIntegerIfPresent("soak_seconds", in: Self.soakSecondsRange)
        ?? defaults.soakSeconds,
      runsPerDayMax: try object.decodeIntegerIfPresent(
        "runs_per_day_max", in: Self.runsPerDayMaxRange)
        ?? defaults.runsPerDayMax)
  }
}
