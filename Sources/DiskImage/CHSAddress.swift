/// A cylinder-head-sector address, as the MBR's partition records still carry one beside the
/// logical block address (UEFI Specification 2.10, section 5.2.1, table 5-2).
///
/// Nothing reads these fields on an LBA disk, but partitioning tools fill them in a fixed way,
/// and so do we: the geometry is the conventional 255 heads of 63 sectors, and an address past
/// what ten cylinder bits can hold (cylinder 1023) is written as the largest one, 1023/254/63.
public struct CHSAddress: Equatable, Sendable {
  public static let headsPerCylinder: UInt32 = 255
  public static let sectorsPerTrack: UInt32 = 63

  public let cylinder: UInt16
  public let head: UInt8
  /// 1 to 63: CHS sectors count from one.
  public let sector: UInt8

  /// The address of logical block `lba` in the conventional geometry, clamped to 1023/254/63.
  public init(lba: UInt32) {
    let perCylinder = Self.headsPerCylinder * Self.sectorsPerTrack
    let cylinder = lba / perCylinder
    guard cylinder <= 1023 else {
      self.cylinder = 1023
      head = 254
      sector = 63
      return
    }
    self.cylinder = UInt16(cylinder)
    head = UInt8((lba / Self.sectorsPerTrack) % Self.headsPerCylinder)
    sector = UInt8(lba % Self.sectorsPerTrack + 1)
  }

  /// The three bytes of the field: head; sector in bits 0-5 with cylinder bits 8-9 in bits 6-7;
  /// cylinder bits 0-7.
  public var bytes: [UInt8] {
    [
      head, sector | UInt8(truncatingIfNeeded: (cylinder >> 8) << 6),
      UInt8(truncatingIfNeeded: cylinder),
    ]
  }
}
