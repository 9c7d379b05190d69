/// Where the three parts of a split virtqueue lie in one physically contiguous block: the
/// descriptor table, the available ring, then the used ring on the next page boundary (VIRTIO
/// 1.1 section 2.6).
///
/// This is the layout the legacy transport requires (section 2.6.2). It also meets the modern
/// transport's alignments (16 bytes for the table, 2 for the available ring, 4 for the used
/// ring), so both transports use it.
///
///     offset 0:               descriptor table, 16 bytes x size
///     availableRingOffset:    flags, idx, ring[size] (2 bytes each), used_event
///     (padding to the page)
///     usedRingOffset:         flags, idx, ring[size] (id and len, 4 bytes each), avail_event
///     (padding to the page)   totalBytes
public struct SplitVirtqueueLayout: Equatable, Sendable {
  /// Bytes of one descriptor: address, length, flags, next.
  public static let descriptorBytes = 16
  /// Bytes of one used ring element: id and length.
  public static let usedElementBytes = 8
  /// The page the queue starts on and its used ring is aligned to (the legacy transport's
  /// GuestPageSize and QueueAlign).
  public static let pageBytes = 4096
  /// The largest queue the standard allows.
  public static let maximumSize = 32768

  /// Entries in the queue: descriptors, available ring slots and used ring slots alike. A power
  /// of two.
  public let size: Int

  /// The queue of `size` entries, a power of two up to 32768.
  public init(size: Int) {
    precondition(size > 0 && size <= Self.maximumSize, "a queue has 1 to 32768 entries")
    precondition(size & (size - 1) == 0, "queue sizes are powers of two")
    self.size = size
  }

  /// The descriptor table's offset: the start.
  public var descriptorTableOffset: Int { 0 }

  /// The available ring's offset, right after the descriptor table.
  public var availableRingOffset: Int { Self.descriptorBytes * size }

  /// The used ring's alignment, which the legacy transport is told in QueueAlign.
  public var usedRingAlignment: Int { Self.pageBytes }

  /// The used ring's offset: past the available ring (flags, idx, the ring and used_event,
  /// 2 bytes each), rounded up to the next page.
  public var usedRingOffset: Int {
    Self.roundUpToPage(availableRingOffset + 2 * (3 + size))
  }

  /// The bytes the whole queue occupies: the used ring (flags, idx, the ring and
  /// avail_event), rounded up to a page so that whatever follows starts on one.
  public var totalBytes: Int {
    usedRingOffset + Self.roundUpToPage(2 * 3 + Self.usedElementBytes * size)
  }

  private static func roundUpToPage(_ bytes: Int) -> Int {
    (bytes + pageBytes - 1) & ~(pageBytes - 1)
  }
}
