/// Names a UDP socket of a `NetworkInterface`: the index of its slot in the socket set.
public struct UDPSocketHandle: Hashable, Sendable {
  /// The slot's position.
  public let index: Int
}

/// A UDP datagram received by a socket, with where it came from.
public struct UDPDatagram: Hashable, Sendable {
  /// The sender's address.
  public var source: IPv4Address
  /// The sender's port, where a reply goes.
  public var sourcePort: UInt16
  /// The address it was sent to: ours, a broadcast or a multicast group.
  public var destination: IPv4Address
  /// The data.
  public var payload: [UInt8]

  /// A datagram with these fields.
  public init(
    source: IPv4Address, sourcePort: UInt16, destination: IPv4Address, payload: [UInt8]
  ) {
    self.source = source
    self.sourcePort = sourcePort
    self.destination = destination
    self.payload = payload
  }
}

/// Why a UDP socket operation was refused.
public enum UDPSocketError: Error, Equatable, Sendable, CustomStringConvertible {
  /// Port 0 names no port: a socket must bind a real one.
  case invalidPort
  /// Another socket is bound to this port.
  case portInUse(UInt16)
  /// Every socket slot is taken.
  case noFreeSocket
  /// The handle names no open socket.
  case notOpen
  /// The payload does not fit one IPv4 datagram (at most 65,507 bytes).
  case payloadTooLarge(Int)
  /// The interface has no address yet, or no route to the destination.
  case noRoute(IPv4Address)

  public var description: String {
    switch self {
    case .invalidPort: return "UDP: port 0 cannot be bound"
    case .portInUse(let port): return "UDP: port \(port) is in use"
    case .noFreeSocket: return "UDP: no free socket"
    case .notOpen: return "UDP: the socket is not open"
    case .payloadTooLarge(let count): return "UDP: a \(count)-byte payload exceeds 65507"
    case .noRoute(let address): return "UDP: no route to \(address)"
    }
  }
}

/// The UDP sockets of one interface: a small array of slots (a handle is a slot's index), each
/// bound to a port with a bounded queue of received datagrams. When a queue is full, further
/// datagrams for it are dropped and counted; UDP promises no delivery, and memory stays fixed.
struct UDPSocketSet: Sendable {
  /// One bound socket.
  struct Socket: Sendable {
    var port: UInt16
    var received: [UDPDatagram] = []
    var droppedCount = 0
    /// The latest ICMP error about a datagram the socket sent.
    var lastError: ICMPv4ErrorReport?
  }

  /// Sockets open at once.
  let maximumSockets: Int
  /// Datagrams queued per socket before more are dropped.
  let maximumQueuedDatagrams: Int
  private var slots: [Socket?] = []

  init(maximumSockets: Int, maximumQueuedDatagrams: Int) {
    precondition(maximumSockets > 0 && maximumQueuedDatagrams > 0)
    self.maximumSockets = maximumSockets
    self.maximumQueuedDatagrams = maximumQueuedDatagrams
  }

  /// Opens a socket bound to `port`, reusing the first free slot.
  mutating func bind(port: UInt16) throws(UDPSocketError) -> UDPSocketHandle {
    guard port != 0 else { throw .invalidPort }
    guard slot(boundTo: port) == nil else { throw .portInUse(port) }
    if let free = slots.firstIndex(where: { $0 == nil }) {
      slots[free] = Socket(port: port)
      return UDPSocketHandle(index: free)
    }
    guard slots.count < maximumSockets else { throw .noFreeSocket }
    slots.append(Socket(port: port))
    return UDPSocketHandle(index: slots.count - 1)
  }

  /// Closes a socket, dropping what it had not yet received.
  mutating func close(_ handle: UDPSocketHandle) {
    guard slots.indices.contains(handle.index) else { return }
    slots[handle.index] = nil
  }

  /// The open socket `handle` names.
  func socket(_ handle: UDPSocketHandle) -> Socket? {
    slots.indices.contains(handle.index) ? slots[handle.index] : nil
  }

  /// The slot of the socket bound to `port`, if any.
  func slot(boundTo port: UInt16) -> Int? {
    slots.firstIndex { $0?.port == port }
  }

  /// Queues a datagram for the socket in `slot`; false (and counted) if its queue is full.
  mutating func deliver(_ datagram: UDPDatagram, toSlot slot: Int) -> Bool {
    guard var socket = slots[slot] else { return false }
    slots[slot] = nil  // So that the queue is mutated without a copy.
    defer { slots[slot] = socket }
    guard socket.received.count < maximumQueuedDatagrams else {
      socket.droppedCount += 1
      return false
    }
    socket.received.append(datagram)
    return true
  }

  /// Notes an ICMP error about a datagram the socket in `slot` sent; its queue is untouched.
  mutating func recordError(_ report: ICMPv4ErrorReport, inSlot slot: Int) {
    slots[slot]?.lastError = report
  }

  /// The oldest datagram the socket has received, if any.
  mutating func receive(_ handle: UDPSocketHandle) -> UDPDatagram? {
    guard var socket = socket(handle), !socket.received.isEmpty else { return nil }
    slots[handle.index] = nil
    let datagram = socket.received.removeFirst()
    slots[handle.index] = socket
    return datagram
  }
}
