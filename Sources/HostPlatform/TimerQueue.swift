import Time

/// Names a timer scheduled on an `EventLoop`, so that it can be cancelled.
public struct TimerID: Hashable, Sendable, CustomStringConvertible {
  /// Unique per loop; also the tie-breaker that keeps timers with equal deadlines in FIFO order.
  let sequence: UInt64

  public var description: String { "timer#\(sequence)" }
}

/// Timers ordered by deadline: a binary min-heap with an index from timer to heap slot, so that
/// cancelling is O(log n) and leaves no tombstones behind. The capacity is fixed at creation;
/// every user of the loop owns a bounded number of timers (one per connection, for instance),
/// so running out means a bug, and `schedule` stops the program rather than grow without bound.
struct TimerQueue {
  private struct Entry {
    var deadline: Instant
    var id: TimerID
    var action: () -> Void

    func precedes(_ other: Entry) -> Bool {
      (deadline, id.sequence) < (other.deadline, other.id.sequence)
    }
  }

  /// The most timers that can be pending at once.
  let capacity: Int
  private var heap: [Entry] = []
  private var slots: [TimerID: Int] = [:]
  private var nextSequence: UInt64 = 0

  init(capacity: Int) {
    precondition(capacity > 0, "a timer queue needs room for at least one timer")
    self.capacity = capacity
  }

  /// How many timers are pending.
  var count: Int { heap.count }

  /// The deadline of the timer that fires next, if any.
  var earliestDeadline: Instant? { heap.first?.deadline }

  /// Adds a timer that runs `action` once `deadline` has passed.
  mutating func schedule(at deadline: Instant, _ action: @escaping () -> Void) -> TimerID {
    precondition(heap.count < capacity, "more than \(capacity) timers pending")
    let id = TimerID(sequence: nextSequence)
    nextSequence += 1
    heap.append(Entry(deadline: deadline, id: id, action: action))
    slots[id] = heap.count - 1
    siftUp(from: heap.count - 1)
    return id
  }

  /// Removes a pending timer. Returns false if it already fired or was cancelled.
  @discardableResult
  mutating func cancel(_ id: TimerID) -> Bool {
    guard let slot = slots[id] else { return false }
    _ = remove(at: slot)
    return true
  }

  /// Removes and returns the action of the earliest timer whose deadline is at or before `now`.
  mutating func popDue(now: Instant) -> (() -> Void)? {
    guard let first = heap.first, first.deadline <= now else { return nil }
    return remove(at: 0).action
  }

  private mutating func remove(at slot: Int) -> Entry {
    let removed = heap[slot]
    slots[removed.id] = nil
    let last = heap.removeLast()
    if slot < heap.count {
      heap[slot] = last
      slots[last.id] = slot
      siftDown(from: slot)
      siftUp(from: slot)
    }
    return removed
  }

  private mutating func siftUp(from start: Int) {
    var child = start
    while child > 0 {
      let parent = (child - 1) / 2
      guard heap[child].precedes(heap[parent]) else { return }
      swapEntries(child, parent)
      child = parent
    }
  }

  private mutating func siftDown(from start: Int) {
    var parent = start
    while true {
      let left = 2 * parent + 1
      let right = left + 1
      var smallest = parent
      if left < heap.count && heap[left].precedes(heap[smallest]) { smallest = left }
      if right < heap.count && heap[right].precedes(heap[smallest]) { smallest = right }
      if smallest == parent { return }
      swapEntries(parent, smallest)
      parent = smallest
    }
  }

  private mutating func swapEntries(_ first: Int, _ second: Int) {
    heap.swapAt(first, second)
    slots[heap[first].id] = first
    slots[heap[second].id] = second
  }
}
