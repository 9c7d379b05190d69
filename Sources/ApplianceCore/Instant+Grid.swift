import Time

extension Instant {
  /// The first point after `now` of the grid that runs from this instant every `interval`;
  /// this instant itself if it is still ahead. The grid points in between (missed by a long
  /// measurement or a stalled platform) are skipped in one step, not crowded.
  func firstGridPoint(after now: Instant, every interval: Duration) -> Instant {
    precondition(interval > .zero, "a grid's interval is positive")
    guard self <= now else { return self }
    let behind = now.duration(since: self).nanosecondsClamped
    let periods = behind / interval.nanosecondsClamped + 1
    let next = self + .nanoseconds(periods * interval.nanosecondsClamped)
    assert(next > now)
    return next
  }
}
