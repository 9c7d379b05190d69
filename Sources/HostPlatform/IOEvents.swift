import CLinux

/// Readiness of a file descriptor: what a registration waits for, and what the loop reports.
///
/// The values are epoll's own bits. `hangUp` and `error` are always reported, whether or not
/// they are in a registration's interest.
public struct IOEvents: OptionSet, Sendable, Hashable {
  public let rawValue: UInt32

  public init(rawValue: UInt32) {
    self.rawValue = rawValue
  }

  /// Data (or end of stream, or a connection to accept) can be read without blocking.
  public static let readable = IOEvents(rawValue: EPOLLIN.rawValue)
  /// Data can be written without blocking, or a non-blocking `connect` has finished.
  public static let writable = IOEvents(rawValue: EPOLLOUT.rawValue)
  /// The peer closed its end (both directions for a socket).
  public static let hangUp = IOEvents(rawValue: EPOLLHUP.rawValue)
  /// The descriptor has a pending error (read it with `SO_ERROR` for sockets).
  public static let error = IOEvents(rawValue: EPOLLERR.rawValue)
}

/// Receives the readiness events of a file descriptor registered on an `EventLoop`.
///
/// Handlers are classes because the loop keeps them (strongly) until they are deregistered,
/// and they usually own mutable state, such as a connection's buffers.
public protocol EventHandler: AnyObject {
  /// Called on the loop's thread when the descriptor is ready for some of `events`.
  func handle(_ events: IOEvents)
}

/// An `EventHandler` that forwards events to a closure; owners capture themselves `unowned`
/// and keep this object alive for exactly as long as their registration.
final class ClosureEventHandler: EventHandler {
  private let body: (IOEvents) -> Void

  init(_ body: @escaping (IOEvents) -> Void) {
    self.body = body
  }

  func handle(_ events: IOEvents) {
    body(events)
  }
}
