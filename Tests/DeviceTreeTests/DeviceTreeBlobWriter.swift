/// Writes device tree blobs by hand per the specification (Devicetree Specification v0.4,
/// chapter 5), for tests: a header, an empty memory reservation map, the structure block and
/// the strings block, all big-endian.
struct DeviceTreeBlobWriter {
  private var structure: [UInt8] = []
  private var strings: [UInt8] = []

  /// FDT_BEGIN_NODE and the node's name (empty for the root).
  mutating func beginNode(_ name: String) {
    Self.append(1, to: &structure)
    structure += Array(name.utf8) + [0]
    Self.pad(&structure)
  }

  /// FDT_END_NODE.
  mutating func endNode() { Self.append(2, to: &structure) }

  /// FDT_PROP: the value's length, the name's offset in the strings block, and the value. A
  /// name already in the strings block is shared, as dtc does.
  mutating func property(_ name: String, _ value: [UInt8]) {
    let nameOffset = offset(ofString: Array(name.utf8))
    Self.append(3, to: &structure)
    Self.append(UInt32(value.count), to: &structure)
    Self.append(UInt32(nameOffset), to: &structure)
    structure += value
    Self.pad(&structure)
  }

  /// FDT_NOP, which readers skip.
  mutating func nop() { Self.append(4, to: &structure) }

  /// The blob: FDT_END closes the structure block.
  func blob() -> [UInt8] {
    var structure = structure
    Self.append(9, to: &structure)
    let reservationMapOffset = 40
    let structureOffset = reservationMapOffset + 16
    let stringsOffset = structureOffset + structure.count
    var blob: [UInt8] = []
    for value in [
      0xD00D_FEED, UInt32(stringsOffset + strings.count), UInt32(structureOffset),
      UInt32(stringsOffset), UInt32(reservationMapOffset), 17, 16, 0, UInt32(strings.count),
      UInt32(structure.count),
    ] { Self.append(value, to: &blob) }
    blob += [UInt8](repeating: 0, count: 16)  // the reservation map's terminating entry
    return blob + structure + strings
  }

  private mutating func offset(ofString name: [UInt8]) -> Int {
    var start = 0
    while start < strings.count {
      let end = strings[start...].firstIndex(of: 0)!
      if Array(strings[start..<end]) == name { return start }
      start = end + 1
    }
    strings += name + [0]
    return start
  }

  /// `value` big-endian.
  static func append(_ value: UInt32, to bytes: inout [UInt8]) {
    bytes += [
      UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF),
      UInt8(value & 0xFF),
    ]
  }

  private static func pad(_ bytes: inout [UInt8]) {
    while bytes.count % 4 != 0 { bytes.append(0) }
  }
}
