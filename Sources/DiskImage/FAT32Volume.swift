/// A FAT32 volume of files in its root directory, laid out as a formatter and a copy would leave
/// it: the reserved region, two identical FATs, the root directory at cluster 2 and each file in
/// consecutive clusters after it (Microsoft FAT32 File System Specification 1.03).
///
/// Sans-IO: `place(into:at:)` puts the volume's bytes into a `SparseImage`, and only the sectors
/// that are not zero are produced. A volume of 64 MiB holding 4 MiB of files comes to about
/// 4 MiB of runs.
public struct FAT32Volume: Equatable, Sendable {
  /// A file of the root directory.
  public struct File: Equatable, Sendable {
    /// The name as given, which a long-name entry carries when the 8.3 entry cannot.
    public let name: String
    public let shortName: ShortName
    public let contents: [UInt8]

    /// Whether the 8.3 entry alone holds the name: an upper-case 8.3 name.
    public var needsLongName: Bool { name != shortName.displayName }
  }

  /// FAT entry values (specification, "FAT Data Structure"): the end-of-chain mark, and the
  /// value of entry 1, whose top bits say the volume was unmounted cleanly and had no disk error.
  static let endOfChain: UInt32 = 0x0FFF_FFFF

  public let geometry: FAT32Geometry
  public let bootSector: FAT32BootSector
  public let timestamp: FATTimestamp
  public private(set) var files: [File] = []

  /// An empty volume of `sectorCount` sectors starting `hiddenSectors` into its disk, with
  /// serial number `volumeID` and `label` (up to 11 characters a short name may hold, or
  /// spaces); every entry is dated `timestamp`.
  public init(
    sectorCount: UInt32, hiddenSectors: UInt32, volumeID: UInt32, label: String,
    timestamp: FATTimestamp
  ) throws(DiskImageError) {
    let characters = Array(label.utf8)
    var labelBytes: [UInt8] = []
    for character in characters {
      if character == UInt8(ascii: " ") {
        labelBytes.append(character)
      } else if let stored = ShortName.storedCharacter(character) {
        labelBytes.append(stored)
      } else {
        throw .invalidVolumeLabel(label)
      }
    }
    guard (1...11).contains(labelBytes.count) else { throw .invalidVolumeLabel(label) }
    labelBytes += [UInt8](repeating: UInt8(ascii: " "), count: 11 - labelBytes.count)
    geometry = try FAT32Geometry(sectorCount: sectorCount)
    bootSector = FAT32BootSector(
      geometry: geometry, hiddenSectors: hiddenSectors, volumeID: volumeID, volumeLabel: labelBytes)
    self.timestamp = timestamp
  }

  /// Adds a file to the root directory, after those added before.
  public mutating func addFile(named name: String, contents: [UInt8]) throws(DiskImageError) {
    guard LongNameEntries.isValid(name) else { throw .invalidFileName(name) }
    guard !files.contains(where: { Self.folded($0.name) == Self.folded(name) }) else {
      throw .duplicateFileName(name)
    }
    guard contents.count <= Int(UInt32.max) else { throw .volumeFull }
    let shortName = try ShortName.generated(
      for: name, avoiding: Set(files.map { $0.shortName }))
    var trial = self
    trial.files.append(File(name: name, shortName: shortName, contents: contents))
    _ = try trial.clusterPlan()
    self = trial
  }

  /// A name with ASCII letters in lower case: FAT compares names without regard to case.
  private static func folded(_ name: String) -> [UInt8] {
    name.utf8.map { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) ? $0 + 0x20 : $0 }
  }

  /// Where the root directory and each file start, and the clusters in use.
  private struct ClusterPlan {
    var rootClusterCount: UInt32
    /// Each file's first cluster, 0 for an empty file.
    var firstClusters: [UInt32]
    /// Every chain as (first cluster, cluster count), the root directory first.
    var chains: [(first: UInt32, count: UInt32)]
    var nextFreeCluster: UInt32
  }

  /// The root directory's entries: the volume label, then each file's long-name entries and its
  /// 8.3 entry, with `firstClusters` as the files' first clusters.
  private func rootDirectoryEntries(firstClusters: [UInt32]) -> [[UInt8]] {
    var entries = [DirectoryEntry(volumeLabel: bootSector.volumeLabel, timestamp: timestamp).bytes]
    for (file, firstCluster) in zip(files, firstClusters) {
      if file.needsLongName {
        entries += LongNameEntries.entries(for: file.name, shortName: file.shortName)
      }
      entries.append(
        DirectoryEntry(
          file: file.shortName, firstCluster: firstCluster, fileSize: UInt32(file.contents.count),
          timestamp: timestamp
        ).bytes)
    }
    return entries
  }

  private func clusterPlan() throws(DiskImageError) -> ClusterPlan {
    let entryCount = rootDirectoryEntries(firstClusters: files.map { _ in 0 }).count
    guard entryCount <= 65_536 else { throw .directoryFull }
    let rootClusters = max(
      1, geometry.clusters(forByteCount: UInt64(entryCount * DirectoryEntry.byteCount)))
    var next = UInt64(FAT32BootSector.rootCluster)
    var plan = ClusterPlan(
      rootClusterCount: UInt32(rootClusters), firstClusters: [],
      chains: [(first: UInt32(next), count: UInt32(rootClusters))], nextFreeCluster: 0)
    next += rootClusters
    let end = UInt64(geometry.clusterCount) + 2
    for file in files {
      let clusters = geometry.clusters(forByteCount: UInt64(file.contents.count))
      guard next + clusters <= end else { throw .volumeFull }
      if clusters == 0 {
        plan.firstClusters.append(0)
      } else {
        plan.firstClusters.append(UInt32(next))
        plan.chains.append((first: UInt32(next), count: UInt32(clusters)))
        next += clusters
      }
    }
    guard next <= end else { throw .volumeFull }
    plan.nextFreeCluster = UInt32(next)
    return plan
  }

  /// Puts the volume's bytes into `image`, the volume starting `offset` bytes into it.
  public func place(into image: inout SparseImage, at offset: UInt64) throws(DiskImageError) {
    let plan = try clusterPlan()
    let sectorBytes = UInt64(FAT32Geometry.bytesPerSector)
    func sectorOffset(_ sector: UInt32) -> UInt64 { offset + UInt64(sector) * sectorBytes }

    let usedClusters = plan.nextFreeCluster - 2
    let fsInfo = FAT32FSInfo(
      freeClusterCount: geometry.clusterCount - usedClusters,
      nextFreeCluster: plan.nextFreeCluster)
    try image.place(bootSector.bytes, at: sectorOffset(0))
    try image.place(fsInfo.bytes, at: sectorOffset(FAT32BootSector.fsInfoSector))
    try image.place(bootSector.bytes, at: sectorOffset(FAT32BootSector.backupSector))
    try image.place(fsInfo.bytes, at: sectorOffset(FAT32BootSector.backupSector + 1))

    let fat = fatBytes(plan: plan)
    for index in 0..<FAT32Geometry.fatCount {
      try image.place(fat, at: sectorOffset(geometry.firstSector(ofFAT: index)))
    }

    let root = rootDirectoryEntries(firstClusters: plan.firstClusters).flatMap { $0 }
    try image.place(
      root, at: sectorOffset(geometry.firstSector(ofCluster: FAT32BootSector.rootCluster)))
    for (file, firstCluster) in zip(files, plan.firstClusters) where firstCluster != 0 {
      try image.place(
        file.contents, at: sectorOffset(geometry.firstSector(ofCluster: firstCluster)))
    }
  }

  /// The start of the FAT up to the last cluster in use, whole sectors; the rest is zero (free).
  /// Entry 0 holds the media descriptor, entry 1 the end-of-chain mark with the clean bits set,
  /// and each chain links its clusters in order and ends with the end-of-chain mark.
  private func fatBytes(plan: ClusterPlan) -> [UInt8] {
    let entryCount = Int(plan.nextFreeCluster)
    let sectorBytes = Int(FAT32Geometry.bytesPerSector)
    let byteCount = (entryCount * 4 + sectorBytes - 1) / sectorBytes * sectorBytes
    var fat = [UInt8](repeating: 0, count: byteCount)
    fat.storeLittleEndian(0x0FFF_FF00 | UInt32(FAT32BootSector.mediaDescriptor), at: 0)
    fat.storeLittleEndian(Self.endOfChain, at: 4)
    for chain in plan.chains {
      for cluster in chain.first..<chain.first + chain.count {
        let next = cluster == chain.first + chain.count - 1 ? Self.endOfChain : cluster + 1
        fat.storeLittleEndian(next, at: Int(cluster) * 4)
      }
    }
    return fat
  }
}
