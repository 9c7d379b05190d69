import ApplianceProfiles
import BoardSupport

/// The GPIO lines that serve a profile's roles on a board, each requested as an output and
/// driven low at once: the pump stays off and the sensors unpowered until the appliance
/// drives them otherwise.
public struct RoleLines<Chip: GPIOChip> {
  private var chip: Chip
  private let lines: [(role: GPIORole, line: Int)]

  /// Requests the line of each of `roles` on `chip`, as `board` wires them (the profile was
  /// checked against the board, so each role has a line).
  public init(chip: Chip, roles: [GPIORole], board: BoardDescription) throws(GPIOError) {
    self.chip = chip
    lines = roles.map { role in
      guard let line = board.line(for: role) else {
        preconditionFailure("board \(board.board) has no line for \(role.rawValue)")
      }
      return (role, line)
    }
    for (_, line) in lines { try self.chip.configure(line: line, as: .output(initial: .low)) }
  }

  /// Drives the line of `role`, one of the roles requested, to `level`.
  public mutating func drive(_ role: GPIORole, to level: GPIOLevel) throws(GPIOError) {
    guard let line = lines.first(where: { $0.role == role })?.line else {
      preconditionFailure("the \(role.rawValue) line was not requested")
    }
    try chip.set(line: line, to: level)
  }
}
