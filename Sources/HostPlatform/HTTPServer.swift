import HTTP
import Time

/// One responder shared by every connection of a server. The loop is single-threaded, so the
/// connections take turns with it and no lock is needed.
public final class HTTPResponderBox<Responder: HTTPResponder>: SharedHTTPResponder {
  /// The shared responder.
  public var responder: Responder

  /// Shares `responder`.
  public init(_ responder: Responder) {
    self.responder = responder
  }

  public func maximumBodyBytes(for head: HTTPRequestHead) -> Int {
    responder.maximumBodyBytes(for: head)
  }

  public func respond(to request: HTTPRequest, now: Instant) -> HTTPResponse {
    responder.respond(to: request, now: now)
  }

  public func errorResponse(status: HTTPStatus, message: String) -> HTTPResponse {
    responder.errorResponse(status: status, message: message)
  }
}

/// What the HTTP servers hold of their responder: one reference, whatever the responder's type.
///
/// The servers and their connection handlers are written against this rather than generic over
/// the responder, so that their per-connection code is compiled for one concrete type, here.
/// Generic code that only an executable instantiates runs unspecialised, moving every value
/// through runtime type metadata; on the stack's request path that cost more than the parsing.
public protocol SharedHTTPResponder: HTTPResponder, AnyObject {}

/// Drives a sans-IO `HTTPServerConnection` as a TCP stream handler.
public struct HTTPStreamHandler: StreamConnectionHandler {
  private var connection: HTTPServerConnection
  private var responder: any SharedHTTPResponder

  init(configuration: HTTPServerConfiguration, responder: any SharedHTTPResponder, now: Instant) {
    self.connection = HTTPServerConnection(configuration: configuration, now: now)
    self.responder = responder
  }

  public mutating func received(_ bytes: UnsafeRawBufferPointer, now: Instant) -> StreamOutput {
    StreamOutput(connection.receive(bytes, now: now, responder: &responder))
  }

  public mutating func receivedEndOfStream(now: Instant) -> StreamOutput {
    StreamOutput(connection.receiveEndOfStream(now: now, responder: &responder))
  }

  public var deadline: Instant? { connection.deadline }

  public mutating func deadlineReached(now: Instant) -> StreamOutput {
    StreamOutput(connection.handleDeadline(now: now, responder: &responder))
  }

  public var hasMoreOutput: Bool { connection.isSendingBody }

  public mutating func moreOutput(maximumBytes: Int, now: Instant) -> StreamOutput {
    StreamOutput(
      connection.nextBodyPiece(maximumBytes: maximumBytes, now: now, responder: &responder))
  }
}

extension StreamOutput {
  init(_ output: HTTPServerOutput) {
    self.init(bytes: output.bytes, shouldClose: output.shouldClose)
  }
}

/// An HTTP/1.1 server on an event loop: a `TCPServer` whose connections speak HTTP to one
/// shared responder.
public final class HTTPServer {
  private let tcp: TCPServer<HTTPStreamHandler>

  /// Listens on `host` and `port` (0: any free port) and answers with `responder`.
  ///
  /// `beforeSending`, if given, is the output barrier of `TCPServer`: responses produced in a
  /// loop iteration are held until it has run once at the end of the iteration, and are sent
  /// only if it returns true; if it returns false, their connections close without them.
  public init(
    loop: EventLoop, host: String, port: UInt16, responder: any SharedHTTPResponder,
    configuration: HTTPServerConfiguration = HTTPServerConfiguration(), reusePort: Bool = false,
    beforeSending: (() -> Bool)? = nil
  ) throws {
    tcp = try TCPServer(
      loop: loop, host: host, port: port, reusePort: reusePort, outputBarrier: beforeSending
    ) { now in
      HTTPStreamHandler(configuration: configuration, responder: responder, now: now)
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
