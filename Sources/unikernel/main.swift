import BareMetal
import BareMetalSupport
import Time

/// The unikernel's entry from `start.S`, at EL1 with the MMU off, on core 0's stack.
@_cdecl("loam_main")
func loamMain(deviceTree: UInt) -> Never {
  let gic = Board.start()
  let timer = GenericTimer()
  print("Loam unikernel on \(Board.name): \(Board.description)")
  print(
    "  el \(loam_read_currentel() >> 2), timer \(timer.frequencyHertz) Hz, heap \(HeapMemory.statistics.capacityBytes) bytes"
  )
  var wakeAt = timer.now
  var ticks = 0
  while true {
    let now = timer.now
    if now >= wakeAt {
      ticks += 1
      print(
        "tick \(ticks) at \(now.nanoseconds / 1_000_000) ms, heap in use \(HeapMemory.statistics.inUseBytes)"
      )
      wakeAt = now + .milliseconds(500)
    }
    timer.wake(at: wakeAt)
    while !timer.hasFired { loam_wait_for_interrupt() }
    timer.disarm()
    gic.acknowledgeAll()
  }
}
