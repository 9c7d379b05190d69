import Time

/// The TCP state of one interface: listeners with their accept queues, connections in a table
/// of bounded size keyed by four-tuple, TIME-WAIT entries, and the secrets that make sequence
/// numbers, SYN cookies and ephemeral ports unguessable from outside.
///
/// A connection belongs either to a listener (opening passively, not yet accepted) or to the
/// application (accepted or connected). The application letting go with `close` leaves the
/// connection to finish its closing handshake as an orphan; it is then freed when it reaches
/// CLOSED, or turned into a small TIME-WAIT entry.
struct TCPSocketSet {
  /// A listening port.
  struct Listener {
    let port: UInt16
    /// Connections opening or opened on this port, not yet accepted, at most.
    let backlog: Int
    /// Slots of connections that completed their handshake, oldest first.
    var acceptQueue: [Int] = []
  }

  /// A slot of the connection table.
  struct Slot {
    var connection: TCPConnection
    /// The listener's port while the connection waits to be accepted.
    var listenerPort: UInt16?
    /// Whether the application has let go of its handle.
    var applicationClosed = false
  }

  let configuration: TCPConfiguration
  var slots: [Slot?] = []
  /// Each slot's generation, bumped when it is freed, so that old handles stop working.
  var generations: [UInt32] = []
  var slotByEndpoints: [TCPEndpoints: Int] = [:]
  var listeners: [Listener] = []
  var timeWait: TCPTimeWaitTable
  let initialSequenceNumbers: TCPInitialSequenceNumbers
  let cookies: TCPSYNCookies
  var ephemeralPorts: EphemeralPorts

  init(configuration: TCPConfiguration, secret: [UInt8]) {
    precondition(configuration.maximumConnections > 0 && configuration.maximumListeners > 0)
    self.configuration = configuration
    timeWait = TCPTimeWaitTable(capacity: configuration.maximumTimeWaitConnections)
    initialSequenceNumbers = TCPInitialSequenceNumbers(secret: secret)
    cookies = TCPSYNCookies(secret: secret)
    ephemeralPorts = EphemeralPorts(secret: secret)
  }

  /// Connections in the table (TIME-WAIT entries not counted).
  var connectionCount: Int { slotByEndpoints.count }

  /// The slot `handle` names, if it is open to the application.
  func slot(_ handle: TCPSocketHandle) -> Int? {
    guard slots.indices.contains(handle.index), generations[handle.index] == handle.generation,
      let slot = slots[handle.index], slot.listenerPort == nil, !slot.applicationClosed
    else { return nil }
    return handle.index
  }

  /// The handle of the connection in `slot`.
  func handle(_ slot: Int) -> TCPSocketHandle {
    TCPSocketHandle(index: slot, generation: generations[slot])
  }

  /// The listener on `port`, if any.
  func listenerIndex(port: UInt16) -> Int? { listeners.firstIndex { $0.port == port } }

  /// Connections opening or waiting to be accepted on `port`.
  func backlogCount(port: UInt16) -> Int {
    slots.reduce(0) { $0 + ($1?.listenerPort == port ? 1 : 0) }
  }

  /// Puts a connection in a free slot; nil when the table is full.
  mutating func insert(_ connection: TCPConnection, listenerPort: UInt16?) -> Int? {
    guard slotByEndpoints.count < configuration.maximumConnections else { return nil }
    let slot = Slot(connection: connection, listenerPort: listenerPort)
    let index: Int
    if let free = slots.firstIndex(where: { $0 == nil }) {
      index = free
      slots[free] = slot
    } else {
      index = slots.count
      slots.append(slot)
      generations.append(0)
    }
    slotByEndpoints[connection.endpoints] = index
    return index
  }

  /// Frees a slot: its handle stops working and its four-tuple is forgotten.
  mutating func release(_ index: Int) {
    guard let slot = slots[index] else { return }
    slotByEndpoints[slot.connection.endpoints] = nil
    if let port = slot.listenerPort, let listener = listenerIndex(port: port) {
      listeners[listener].acceptQueue.removeAll { $0 == index }
    }
    slots[index] = nil
    generations[index] &+= 1
  }

  /// After anything happened to the connection in `index`: queues a completed passive open
  /// for accept, and frees a connection nobody needs any more, keeping a TIME-WAIT entry.
  mutating func settle(_ index: Int, now: Instant) {
    guard let slot = slots[index] else { return }
    let connection = slot.connection
    if let port = slot.listenerPort {
      if connection.state == .closed {
        release(index)
      } else if connection.state.isSynchronized, let listener = listenerIndex(port: port),
        !listeners[listener].acceptQueue.contains(index)
      {
        listeners[listener].acceptQueue.append(index)
      }
      return
    }
    guard slot.applicationClosed else { return }
    switch connection.state {
    case .closed:
      release(index)
    case .timeWait:
      timeWait.insert(
        TCPTimeWaitTable.Entry(
          sendNext: connection.sendNext, receiveNext: connection.receiveNext,
          deadline: connection.timeWaitDeadline ?? now + configuration.timeWaitDuration),
        for: connection.endpoints)
      release(index)
    case .finWait2 where connection.timeWaitDeadline == nil:
      // An orphan whose peer never closes would stay forever; give it as long as TIME-WAIT.
      slots[index]?.connection.timeWaitDeadline = now + configuration.timeWaitDuration
    default:
      break
    }
  }
}
