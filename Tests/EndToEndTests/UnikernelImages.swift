import Foundation
import XCTest

/// QEMU's aarch64 system emulator, which boots the unikernels in these tests.
let qemuSystemAArch64 = "/usr/bin/qemu-system-aarch64"

/// A file of a unikernel that `make unikernels` built (`Images/out/<board>/<file>`). Skips the
/// test when QEMU is missing and fails it when the image is.
func unikernelImage(_ board: String, _ file: String) throws -> URL {
  try XCTSkipUnless(
    FileManager.default.isExecutableFile(atPath: qemuSystemAArch64),
    "\(qemuSystemAArch64) is missing: `make deps` installs QEMU 10 from bookworm-backports")
  let url = repositoryRoot.appendingPathComponent("Images/out/\(board)/\(file)")
  guard FileManager.default.fileExists(atPath: url.path) else {
    XCTFail("\(url.path) is not built: run `make unikernels` (make test does)")
    throw UnikernelImageMissing(path: url.path)
  }
  return url
}

/// A unikernel image a test needs was not built.
struct UnikernelImageMissing: Error {
  let path: String
}
