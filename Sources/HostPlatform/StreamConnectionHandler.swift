import Time

/// What a stream handler wants done after an event: bytes to send, and whether to close the
/// connection once they (and everything queued before them) have been sent.
public struct StreamOutput: Equatable, Sendable {
  /// Bytes to append to the connection's output.
  public var bytes: [UInt8]
  /// Close after the output is flushed: shut down the sending side, then close.
  public var shouldClose: Bool

  public init(bytes: [UInt8] = [], shouldClose: Bool = false) {
    self.bytes = bytes
    self.shouldClose = shouldClose
  }

  /// Nothing to send; keep the connection open.
  public static let none = StreamOutput()
}

/// A sans-IO protocol state machine for one byte-stream connection (an HTTP server connection,
/// for instance). The driver (`TCPServer`) feeds it bytes and the current time and performs the
/// output; the handler never touches a socket or a clock.
public protocol StreamConnectionHandler {
  /// Bytes arrived from the peer. They live in the driver's read buffer and are valid only
  /// during the call: a handler that keeps any copies them (parsers do as they buffer).
  mutating func received(_ bytes: UnsafeRawBufferPointer, now: Instant) -> StreamOutput
  /// The peer shut down its sending side: no more bytes will arrive. The connection can still
  /// send; it stays open until the handler asks to close.
  mutating func receivedEndOfStream(now: Instant) -> StreamOutput
  /// When the handler next wants `deadlineReached`, if ever. Read after every event.
  var deadline: Instant? { get }
  /// The monotonic clock passed `deadline`.
  mutating func deadlineReached(now: Instant) -> StreamOutput
  /// Whether the handler has output it makes only as it is sent (a streamed body). While it
  /// does, the driver asks for it with `moreOutput` whenever less than
  /// `StreamLimits.outputPieceSize` waits to be sent, and reads no input (backpressure).
  /// Read after every event.
  var hasMoreOutput: Bool { get }
  /// The next piece of that output, at most `maximumBytes` (framing aside), at `now`.
  mutating func moreOutput(maximumBytes: Int, now: Instant) -> StreamOutput
}

extension StreamConnectionHandler {
  /// A handler that streams nothing never has more output.
  public var hasMoreOutput: Bool { false }

  /// A handler that streams nothing has nothing more to give.
  public mutating func moreOutput(maximumBytes: Int, now: Instant) -> StreamOutput { .none }
}

/// Bounds on the resources one stream connection may use.
public struct StreamLimits: Sendable {
  /// The most bytes taken from the socket per readable event (and passed to `received`).
  public var readChunkSize: Int
  /// Reading pauses while more than this many bytes wait to be sent (backpressure). A single
  /// output can still exceed it; reading resumes once the queue drains below it.
  public var maximumPendingOutput: Int
  /// The most bytes asked of a handler's `moreOutput` at a time; it is asked again once less
  /// than this waits to be sent, so a streamed output holds about twice this in memory.
  public var outputPieceSize: Int
  /// After the connection shuts down its sending side, how long it keeps reading (and
  /// discarding) so that unread input does not turn the close into a reset that would destroy
  /// output the peer has not read yet.
  public var lingerDuration: Duration

  public init(
    readChunkSize: Int = 65_536, maximumPendingOutput: Int = 1_048_576,
    lingerDuration: Duration = .seconds(2), outputPieceSize: Int = 65_536
  ) {
    precondition(
      readChunkSize > 0 && maximumPendingOutput > 0 && outputPieceSize > 0,
      "limits must be positive")
    self.outputPieceSize = outputPieceSize
    self.readChunkSize = readChunkSize
    self.maximumPendingOutput = maximumPendingOutput
    self.lingerDuration = lingerDuration
  }
}
