import Glibc
import XCTest

/// The user and group `nobody` (65534 on Debian), which owns no device nodes and is in no group.
private let nobody: UInt32 = 65534

/// Runs `body` in a forked child process that has dropped root for user and group `nobody`, and
/// returns the text `body` produced there. Lets a test running as root see what an ordinary
/// user's process sees when the kernel refuses it a device node.
///
/// Skips the test unless it runs as root (only root can switch users). The child runs only
/// `body` (an open and the text of its error) and leaves with `_exit`, without running XCTest's
/// or the parent's clean-up; glibc keeps `malloc` usable in the child of a fork.
func textFromUnprivilegedChild(_ body: () -> String) throws -> String {
  guard getuid() == 0 else {
    throw XCTSkip("dropping to user nobody needs root; running as \(getuid())")
  }
  var pipeEnds: [Int32] = [-1, -1]
  XCTAssertEqual(pipe(&pipeEnds), 0)
  let child = fork()
  XCTAssertGreaterThanOrEqual(child, 0, "fork failed: errno \(errno)")
  if child == 0 {
    close(pipeEnds[0])
    // The group first: once the user is not root, it may no longer change groups.
    let text: String
    if setgroups(0, nil) != 0 || setgid(nobody) != 0 || setuid(nobody) != 0 || geteuid() == 0 {
      text = "the child could not drop root: errno \(errno)"
    } else {
      text = body()
    }
    var bytes = Array(text.utf8)
    _ = write(pipeEnds[1], &bytes, bytes.count)
    _exit(0)
  }
  close(pipeEnds[1])
  var output: [UInt8] = []
  var chunk = [UInt8](repeating: 0, count: 4096)
  while true {
    let count = read(pipeEnds[0], &chunk, chunk.count)
    if count <= 0 { break }
    output.append(contentsOf: chunk[0..<count])
  }
  close(pipeEnds[0])
  var status: Int32 = 0
  XCTAssertEqual(waitpid(child, &status, 0), child)
  return String(decoding: output, as: UTF8.self)
}

/// A path of a new root-owned file that only root may open (mode 0600). Removed at the end of
/// the test.
func rootOnlyFile(named name: String, in testCase: XCTestCase) -> String {
  let path = "/tmp/loam-\(name)-\(getpid())"
  let descriptor = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o600)
  XCTAssertGreaterThanOrEqual(descriptor, 0, "cannot create \(path): errno \(errno)")
  close(descriptor)
  testCase.addTeardownBlock { unlink(path) }
  return path
}
