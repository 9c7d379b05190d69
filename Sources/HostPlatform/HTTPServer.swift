import HTTP
import Time

/// One responder shared by every connection of a server. The loop is single-threaded, so the
/// connections take turns with it and no lock is needed.
public final class HTTPResponderBox<Responder: HTTPResponder> {
  /// The shared responder.
  public var responder: Responder

  /// Shares `responder`.
  public init(_ responder: Responder) {
    self.responder = responder
  }
}

/// Drives a sans-IO `HTTPServerConnection` as a TCP stream handler.
public struct HTTPStreamHandler<Responder: HTTPResponder>: StreamConnectionHandler {
  private var connection: HTTPServerConnection
  private let box: HTTPResponderBox<Responder>

  init(configuration: HTTPServerConfiguration, box: HTTPResponderBox<Responder>, now: Instant) {
    self.connection = HTTPServerConnection(configuration: configuration, now: now)
    self.box = box
  }

  public mutating func received(_ bytes: UnsafeRawBufferPointer, now: Instant) -> StreamOutput {
    StreamOutput(connection.receive(bytes, now: now, responder: &box.responder))
  }

  public mutating func receivedEndOfStream(now: Instant) -> StreamOutput {
    StreamOutput(connection.receiveEndOfStream(now: now, responder: &box.responder))
  }

  public var deadline: Instant? { connection.deadline }

  public mutating func deadlineReached(now: Instant) -> StreamOutput {
    StreamOutput(connection.handleDeadline(now: now, responder: &box.responder))
  }

  public var hasMoreOutput: Bool { connection.isSendingBody }

  public mutating func moreOutput(maximumBytes: Int, now: Instant) -> StreamOutput {
    StreamOutput(
      connection.nextBodyPiece(maximumBytes: maximumBytes, now: now, responder: &box.responder))
  }
}

extension StreamOutput {
  init(_ output: HTTPServerOutput) {
    self.init(bytes: output.bytes, shouldClose: output.shouldClose)
  }
}

/// An HTTP/1.1 server on an event loop: a `TCPServer` whose connections speak HTTP to one
/// shared responder.
public final class HTTPServer<Responder: HTTPResponder> {
  private let tcp: TCPServer<HTTPStreamHandler<Responder>>

  /// Listens on `host` and `port` (0: any free port) and answers with `responder`.
  ///
  /// `beforeSending`, if given, is the output barrier of `TCPServer`: responses produced in a
  /// loop iteration are held until it has run once at the end of the iteration, and are sent
  /// only if it returns true; if it returns false, their connections close without them.
  public init(
    loop: EventLoop, host: String, port: UInt16, responder: HTTPResponderBox<Responder>,
    configuration: HTTPServerConfiguration = HTTPServerConfiguration(), reusePort: Bool = false,
    beforeSending: (() -> Bool)? = nil
  ) throws {
    tcp = try TCPServer(
      loop: loop, host: host, port: port, reusePort: reusePort, outputBarrier: beforeSending
    ) { now in
      HTTPStreamHandler(configuration: configuration, box: responder, now: now)
    }
  }

  /// The port listened on.
  public var port: UInt16 { tcp.port }

  /// Connections open now.
  public var openConnections: Int { tcp.openConnections }

  /// Bytes produced and not yet taken by the sockets, over all connections.
  public var pendingOutputTotal: Int { tcp.pendingOutputTotal }

  /// Stops listening and closes every connection.
  public func close() {
    tcp.close()
  }
}
