import BoardSupport

/// An entropy source made when it is first asked for a number: for a generator whose start-up
/// must not run unless randomness is needed (the Pi 4's RNG200, absent from QEMU's raspi4b,
/// where touching it is an external abort).
struct LazyEntropySource<Source: EntropySource>: EntropySource {
  private var source: Source?
  private let make: () -> Source

  init(_ make: @escaping () -> Source) { self.make = make }

  mutating func nextWord() -> UInt32? {
    if source == nil { source = make() }
    return source?.nextWord()
  }
}
