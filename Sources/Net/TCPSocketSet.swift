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

  /// Each slot's earliest timer, kept beside the slots (see `refreshDeadline`) so that finding
  /// the interface's next deadline reads a few words per connection.
  private(set) var deadlineBySlot: [Instant?] = []
  /// Each slot's count of changes (see `refreshDeadline`), so that a driver with many idle
  /// connections can tell at a glance which ones have something new.
  private(set) var activityBySlot: [UInt32] = []

  /// What the table's bookkeeping and the socket calls ask of a slot.
  struct SlotFacts {
    var state: TCPState
    var endpoints: TCPEndpoints
    var listenerPort: UInt16?
    var applicationClosed: Bool
    var timeWaitDeadline: Instant?
    var hasUnreadData: Bool
    var acceptsSends: Bool
    var error: TCPConnectionError?
  }

  /// The facts of the slot in `index`, nil when it is free.
  ///
  /// Read here, in a function that does not mutate the table, only these fields are loaded.
  /// Read inside a mutating function, a slot is first copied out of the array whole: its
  /// buffers and tables, with a reference count operation on each (measured at a fifth of the
  /// instructions an HTTP request costs). Mutating calls (`slots[index]!.connection.send`)
  /// work in place either way.
  ///
  /// It and the other readers here are always inlined, for a second reason of the same kind: a
  /// call to a non-mutating method of a large struct held in a variable (the table, inside the
  /// interface) passes a snapshot of the whole struct, which costs a copy of its bytes.
  @inline(__always) func facts(_ index: Int) -> SlotFacts? {
    // One `switch` tells a free slot once; each `slots[index]!` would tell it again.
    switch slots[index] {
    case .none:
      return nil
    case .some(let slot):
      return SlotFacts(
        state: slot.connection.state, endpoints: slot.connection.endpoints,
        listenerPort: slot.listenerPort, applicationClosed: slot.applicationClosed,
        timeWaitDeadline: slot.connection.timeWaitDeadline,
        hasUnreadData: !slot.connection.receiveBuffer.isEmpty,
        acceptsSends: slot.connection.acceptsSends, error: slot.connection.error)
    }
  }

  /// The next timer of the connection in `index` (see `facts` for why it is read here).
  @inline(__always) func connectionDeadline(_ index: Int) -> Instant? {
    slots[index]?.connection.deadline
  }

  /// The socket status of the slot in `index` (see `facts` for why it is read here).
  @inline(__always) func socketStatus(_ index: Int) -> TCPSocketStatus? {
    slots[index]?.connection.socketStatus
  }

  /// The TIME-WAIT entry for the connection in `index`, which has reached TIME-WAIT.
  @inline(__always) func timeWaitEntry(_ index: Int, deadline: Instant) -> TCPTimeWaitTable.Entry {
    TCPTimeWaitTable.Entry(
      sendNext: slots[index]!.connection.sendNext,
      receiveNext: slots[index]!.connection.receiveNext, deadline: deadline)
  }

  /// Notes the connection's next timer after it changed, and counts the change; every change
  /// ends with this.
  mutating func refreshDeadline(_ index: Int) {
    deadlineBySlot[index] = connectionDeadline(index)
    activityBySlot[index] &+= 1
  }

  /// The slot `handle` names, if it is open to the application.
  @inline(__always) func slot(_ handle: TCPSocketHandle) -> Int? {
    guard slots.indices.contains(handle.index), generations[handle.index] == handle.generation
    else { return nil }
    switch slots[handle.index] {
    case .some(let slot) where slot.listenerPort == nil && !slot.applicationClosed:
      return handle.index
    default:
      return nil
    }
  }

  /// The handle of the connection in `slot`.
  func handle(_ slot: Int) -> TCPSocketHandle {
    TCPSocketHandle(index: slot, generation: generations[slot])
  }

  /// The listener on `port`, if any.
  func listenerIndex(port: UInt16) -> Int? { listeners.firstIndex { $0.port == port } }

  /// Connections opening or waiting to be accepted on `port`.
  func backlogCount(port: UInt16) -> Int {
    slots.indices.reduce(0) { $0 + (slots[$1]?.listenerPort == port ? 1 : 0) }
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
      deadlineBySlot.append(nil)
      activityBySlot.append(0)
    }
    slotByEndpoints[connection.endpoints] = index
    return index
  }

  /// Frees a slot: its handle stops working and its four-tuple is forgotten.
  mutating func release(_ index: Int) {
    guard let facts = facts(index) else { return }
    slotByEndpoints[facts.endpoints] = nil
    if let port = facts.listenerPort, let listener = listenerIndex(port: port) {
      listeners[listener].acceptQueue.removeAll { $0 == index }
    }
    slots[index] = nil
    deadlineBySlot[index] = nil
    generations[index] &+= 1
  }

  /// After anything happened to the connection in `index`: queues a completed passive open
  /// for accept, and frees a connection nobody needs any more, keeping a TIME-WAIT entry.
  mutating func settle(_ index: Int, now: Instant) {
    guard let facts = facts(index) else { return }
    let state = facts.state
    if let port = facts.listenerPort {
      if state == .closed {
        release(index)
      } else if state.isSynchronized, let listener = listenerIndex(port: port),
        !listeners[listener].acceptQueue.contains(index)
      {
        listeners[listener].acceptQueue.append(index)
      }
      return
    }
    guard facts.applicationClosed else { return }
    switch state {
    case .closed:
      release(index)
    case .timeWait:
      let deadline = facts.timeWaitDeadline ?? now + configuration.timeWaitDuration
      timeWait.insert(timeWaitEntry(index, deadline: deadline), for: facts.endpoints)
      release(index)
    case .finWait2 where facts.timeWaitDeadline == nil:
      // An orphan whose peer never closes would stay forever; give it as long as TIME-WAIT.
      slots[index]?.connection.timeWaitDeadline = now + configuration.timeWaitDuration
    default:
      break
    }
  }
}
