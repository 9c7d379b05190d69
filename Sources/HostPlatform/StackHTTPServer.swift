import HTTP
import Net
import Time

/// An HTTP/1.1 server on Loam's own TCP/IP stack: the same sans-IO `HTTPServerConnection` and
/// responder as `HTTPServer`, over a `StackTCPServer` instead of the kernel's sockets.
public final class StackHTTPServer {
  private let tcp: StackTCPServer<HTTPStreamHandler>

  /// Listens on `port` of `stack`'s interface and answers with `responder`. `beforeSending`
  /// is the output barrier, as for `HTTPServer`.
  public init(
    stack: NetworkStack, port: UInt16, responder: any SharedHTTPResponder,
    configuration: HTTPServerConfiguration = HTTPServerConfiguration(),
    beforeSending: (() -> Bool)? = nil
  ) throws(TCPSocketError) {
    tcp = try StackTCPServer(stack: stack, port: port, outputBarrier: beforeSending) { now in
      HTTPStreamHandler(configuration: configuration, responder: responder, now: now)
    }
  }

  /// The port listened on.
  public var port: UInt16 { tcp.port }

  /// Connections open now.
  public var openConnections: Int { tcp.openConnections }
}
