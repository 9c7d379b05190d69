/// Why a disk image cannot be laid out as asked.
public enum DiskImageError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The partition holds fewer clusters than FAT32 needs (65,525, Microsoft FAT32 File System
  /// Specification 1.03, "FAT Type Determination"), or more than a FAT32 volume can address.
  case partitionSizeOutsideFAT32(sectors: UInt32)
  /// A partition that does not fit in the disk or in an MBR's 32-bit sector fields.
  case partitionOutsideDisk
  /// A long name FAT cannot hold: empty, over 255 characters, ending in a period or space, or
  /// with a character outside printable ASCII or one of `"*/:<>?\|`.
  case invalidFileName(String)
  /// Two files whose names differ only in case, which FAT treats as one name.
  case duplicateFileName(String)
  /// Every numeric tail `~1` to `~999999` of a short name is taken.
  case shortNamesExhausted(String)
  /// A volume label is at most 11 characters of those a short name may hold.
  case invalidVolumeLabel(String)
  /// A date FAT cannot record: before 1980, after 2107, or not a day of the calendar.
  case invalidTimestamp
  /// The files do not fit in the volume's clusters, or a file is 4 GiB or more.
  case volumeFull
  /// A directory over FAT's limit of 65,536 entries.
  case directoryFull
  /// Bytes placed past the image's end or over bytes already placed.
  case regionOutsideImage(offset: UInt64)
  case regionsOverlap(offset: UInt64)

  public var description: String {
    switch self {
    case .partitionSizeOutsideFAT32(let sectors):
      "a partition of \(sectors) sectors gives a cluster count outside FAT32's 65525 to 268435445"
    case .partitionOutsideDisk: "the partition does not fit in the disk's MBR fields"
    case .invalidFileName(let name): "'\(name)' is not a file name FAT can hold"
    case .duplicateFileName(let name): "'\(name)' is on the volume already (FAT ignores case)"
    case .shortNamesExhausted(let name): "no short name is left for '\(name)'"
    case .invalidVolumeLabel(let label): "'\(label)' is not a FAT volume label"
    case .invalidTimestamp: "FAT records dates from 1980 to 2107 only"
    case .volumeFull: "the files do not fit in the volume"
    case .directoryFull: "a FAT directory holds at most 65536 entries"
    case .regionOutsideImage(let offset): "bytes at offset \(offset) fall outside the image"
    case .regionsOverlap(let offset): "bytes at offset \(offset) overlap bytes placed before"
    }
  }
}
