import Time

/// The heap's use, printed on the console every `interval`: what a unikernel appliance needs in
/// RAM, read off a running image (BENCHMARKS.md takes its figures from these lines).
public struct HeapUseReport {
  /// How often the heap's use is printed.
  public static let interval = Duration.seconds(10)

  /// When the next report is due.
  public private(set) var deadline = Instant.zero

  /// A report, due at once.
  public init() {}

  /// Prints the heap's use if a report is due at `now`, with `detail` after it.
  public mutating func printIfDue(now: Instant, detail: String = "") {
    guard now >= deadline else { return }
    let heap = HeapMemory.statistics
    print(
      "memory: heap in use \(heap.inUseBytes / 1024) KiB in \(heap.inUseBlocks) blocks, "
        + "peak \(heap.peakInUseBytes / 1024) KiB\(detail)")
    deadline = now + Self.interval
  }
}
