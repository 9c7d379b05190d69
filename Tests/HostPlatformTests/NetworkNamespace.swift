import CLinux
import Foundation
import Glibc
import XCTest

/// A network namespace of a test's own, made with `ip netns add` and removed with `delete()`
/// (call it in a `defer`), so that TAP devices, addresses and traffic never touch the host's
/// network (issue 3's rules).
///
/// Test code enters it with `run(_:)`, which executes a closure on a fresh thread that has
/// joined the namespace with `setns(2)` on `/run/netns/NAME`. A network namespace belongs to a
/// thread, not the process, so only that thread's sockets and TAP devices live inside; the
/// XCTest thread and every other thread stay where they were, and nothing needs undoing when the
/// thread ends. (The alternative, `ip netns exec NAME` on a child process, would need a second
/// executable or re-running the test bundle with a filter.) Commands such as `ip addr` run as
/// `ip -n NAME ...` from any thread.
struct NetworkNamespace: Sendable {
  /// An error from setting up or using the namespace, with the command's own message.
  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  let name: String

  /// Why namespaces cannot be made here, or nil if they can: they need root, `ip` and
  /// `/dev/net/tun`.
  static func unavailableReason() -> String? {
    if geteuid() != 0 { return "needs root (CAP_NET_ADMIN) to create network namespaces" }
    if access("/dev/net/tun", R_OK | W_OK) != 0 { return "/dev/net/tun is missing" }
    guard let ip = ipPath else { return "the `ip` command (iproute2) is missing" }
    guard (try? execute(ip, ["netns", "list"])) != nil else { return "`ip netns` does not work" }
    return nil
  }

  /// Creates the namespace `name` and brings its loopback interface up.
  init(name: String) throws {
    self.name = name
    try Self.execute(try Self.requireIP(), ["netns", "add", name])
    do {
      try ip("link", "set", "lo", "up")
    } catch {
      delete()
      throw error
    }
  }

  /// Runs `ip -n NAME arguments...`, throwing with its error output if it fails.
  func ip(_ arguments: String...) throws {
    try Self.execute(try Self.requireIP(), ["-n", name] + arguments)
  }

  /// Runs `ip netns exec NAME arguments...` to completion and returns its exit status and its
  /// output and error output together. (Only for programs that exit: Foundation's `Process`
  /// on Linux can stall reaping one child while another lives on, so daemons must detach.)
  func execute(_ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try Self.requireIP())
    process.arguments = ["netns", "exec", name] + arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let text = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: text, as: UTF8.self))
  }

  /// Runs `body` on a new thread inside the namespace and returns its result. Gives up (and
  /// throws) after `limit`, which only guards against a hang.
  func run<Value: Sendable>(
    limit: TimeInterval = 30, _ body: @escaping @Sendable () throws -> Value
  ) throws -> Value {
    let path = "/run/netns/\(name)"
    let outcome = Shared<Result<Value, any Error>?>(nil)
    let finished = DispatchSemaphore(value: 0)
    Thread.detachNewThread {
      defer { finished.signal() }
      let namespace = open(path, O_RDONLY | O_CLOEXEC)
      guard namespace >= 0, setns(namespace, Int32(CLONE_NEWNET)) == 0 else {
        let reason = String(cString: strerror(errno))
        if namespace >= 0 { close(namespace) }
        outcome.update { $0 = .failure(Failure(description: "entering \(path): \(reason)")) }
        return
      }
      close(namespace)
      let result = Result { try body() }
      outcome.update { $0 = result }
    }
    guard finished.wait(timeout: .now() + limit) == .success, let result = outcome.value else {
      throw Failure(description: "the code in namespace \(name) did not finish in \(limit) s")
    }
    return try result.get()
  }

  /// Removes the namespace, and with it the interfaces inside once their last user is gone.
  func delete() {
    guard let ip = Self.ipPath else { return }
    do {
      try Self.execute(ip, ["netns", "delete", name])
    } catch {
      print("warning: could not delete network namespace \(name): \(error)")
    }
  }

  private static let ipPath: String? = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"]
    .first { (path: String) in access(path, X_OK) == 0 }

  private static func requireIP() throws -> String {
    guard let ip = ipPath else { throw Failure(description: "the `ip` command is missing") }
    return ip
  }

  /// Runs a program to completion; throws with its error output unless it exits with 0.
  private static func execute(_ path: String, _ arguments: [String]) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let errorOutput = Pipe()
    process.standardError = errorOutput
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let message = errorOutput.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      let text = String(decoding: message, as: UTF8.self)
      throw Failure(
        description: "\(path) \(arguments.joined(separator: " ")) failed: \(text)")
    }
  }
}

extension NetworkNamespace {
  /// Skips the calling test of `suite`, printing `reason`, when there is one (usually
  /// `unavailableReason()`): CI's log then says why a network test did not run.
  static func skip(_ suite: String, because reason: String?) throws {
    guard let reason else { return }
    print("\(suite) skipped: \(reason)")
    throw XCTSkip(reason)
  }

  /// Starts `body` (a stack's loop) on a thread inside the namespace, and waits until
  /// `isReady` holds or the loop has already ended; rethrows if it failed to start. The caller
  /// tells the loop to stop through its own shared state.
  func startLoop(
    limit: TimeInterval, untilReady isReady: () -> Bool,
    running body: @escaping @Sendable () throws -> Void
  ) throws -> BackgroundLoop {
    let loop = BackgroundLoop()
    spawn {
      let result = Result { try self.run(limit: limit, body) }
      loop.outcome.update { $0 = result }
    }
    XCTAssertTrue(waitUntil(seconds: 10) { isReady() || loop.hasEnded })
    try loop.rethrowFailure()
    return loop
  }
}

/// A loop started with `NetworkNamespace.startLoop`, as the test outside sees it.
final class BackgroundLoop: Sendable {
  /// The loop's result, once it has returned or failed.
  let outcome = Shared<Result<Void, any Error>?>(nil)

  /// Whether the loop has returned or failed.
  var hasEnded: Bool { outcome.value != nil }

  /// Rethrows the loop's error if it has already failed.
  func rethrowFailure() throws {
    if case .failure(let error) = outcome.value { throw error }
  }

  /// Waits up to `seconds` for the loop to end (after the test told it to stop) and rethrows
  /// its error.
  func finish(seconds: Double = 10) throws {
    XCTAssertTrue(waitUntil(seconds: seconds) { hasEnded })
    try outcome.value?.get()
  }
}
