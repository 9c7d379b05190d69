import Time

/// The Arm PL031 real-time clock (PrimeCell RTC Technical Reference Manual, r1p3): a counter of
/// seconds that QEMU's virt machine starts at the host's time, so the unikernel can label its
/// readings with the date. (A Raspberry Pi has no real-time clock.)
public struct PL031RealTimeClock {
  private let registers: DeviceRegisters
  /// RTCDR, the data register: the current count of seconds.
  private static let dataOffset = 0x000

  /// The clock whose registers start at `baseAddress`.
  public init(baseAddress: UInt) { registers = DeviceRegisters(baseAddress: baseAddress) }

  /// The wall-clock time now, to the second (the counter's seconds since 1970, UTC).
  public var now: UTCTime {
    UTCTime(millisecondsSinceEpoch: Int64(registers.read(Self.dataOffset)) * 1000)
  }
}
