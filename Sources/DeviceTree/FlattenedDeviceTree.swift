/// A flattened device tree blob (Devicetree Specification v0.4, chapter 5): the description of
/// the machine that a boot loader passes to the kernel, here QEMU (to `virt` guests, in x0) and
/// a Raspberry Pi's firmware. Loam reads the boot arguments from it (`/chosen/bootargs`, QEMU's
/// `-append`), which is how a unikernel image gets its settings at boot, as MirageOS's do.
///
/// It reads a blob in place, checks every offset and length against the blob's size, and never
/// traps on a damaged one: a lookup in a malformed tree finds nothing.
public struct FlattenedDeviceTree {
  /// The blob's first bytes, big-endian.
  public static let magic: UInt32 = 0xD00D_FEED
  /// The largest blob Loam will read.
  public static let maximumByteCount = 1 << 20
  /// The deepest nesting of nodes Loam will follow.
  static let maximumDepth = 32

  private let blob: UnsafeRawBufferPointer
  private let structureStart: Int
  private let structureEnd: Int
  private let stringsStart: Int
  private let stringsEnd: Int

  private enum Token {
    static let beginNode: UInt32 = 1
    static let endNode: UInt32 = 2
    static let property: UInt32 = 3
    static let nop: UInt32 = 4
    static let end: UInt32 = 9
  }

  /// The tree in `blob` (which must stay valid while the tree is used), or nil when the header
  /// is not that of a device tree or points outside the blob.
  public init?(blob: UnsafeRawBufferPointer) {
    guard blob.count >= 40, Self.word(blob, at: 0) == Self.magic else { return nil }
    let totalSize = Int(Self.word(blob, at: 4))
    guard totalSize >= 40, totalSize <= blob.count, totalSize <= Self.maximumByteCount else {
      return nil
    }
    let structureOffset = Int(Self.word(blob, at: 8))
    let stringsOffset = Int(Self.word(blob, at: 12))
    let stringsSize = Int(Self.word(blob, at: 32))
    let structureSize = Int(Self.word(blob, at: 36))
    guard structureOffset % 4 == 0, structureOffset + structureSize <= totalSize,
      stringsOffset + stringsSize <= totalSize
    else { return nil }
    self.blob = UnsafeRawBufferPointer(rebasing: blob[0..<totalSize])
    structureStart = structureOffset
    structureEnd = structureOffset + structureSize
    stringsStart = stringsOffset
    stringsEnd = stringsOffset + stringsSize
  }

  /// The value of property `name` of the node at `path` (`/chosen`), or nil when there is no
  /// such node or property, or the tree is malformed on the way.
  public func property(_ name: String, ofNodeAt path: String) -> [UInt8]? {
    let wanted = path.utf8.split(separator: UInt8(ascii: "/")).map { Array($0) }
    let wantedName = Array(name.utf8)
    // For each open node, root first: whether it lies on the wanted path.
    var onPath: [Bool] = []
    var offset = structureStart
    while offset + 4 <= structureEnd {
      let token = Self.word(blob, at: offset)
      offset += 4
      switch token {
      case Token.beginNode:
        guard onPath.count < Self.maximumDepth,
          let nameEnd = terminator(from: offset, before: structureEnd)
        else { return nil }
        let level = onPath.count  // 0 for the root, whose name is empty
        let isOnPath =
          level == 0
          || (onPath[level - 1] && level <= wanted.count
            && Array(blob[offset..<nameEnd]) == wanted[level - 1])
        onPath.append(isOnPath)
        offset = (nameEnd + 1 + 3) & ~3
      case Token.endNode:
        guard onPath.popLast() != nil, !onPath.isEmpty else { return nil }
      case Token.property:
        guard offset + 8 <= structureEnd else { return nil }
        let length = Int(Self.word(blob, at: offset))
        let nameStart = stringsStart + Int(Self.word(blob, at: offset + 4))
        let valueStart = offset + 8
        guard length <= structureEnd - valueStart else { return nil }
        if onPath.last == true && onPath.count == wanted.count + 1, nameStart < stringsEnd,
          let nameEnd = terminator(from: nameStart, before: stringsEnd),
          Array(blob[nameStart..<nameEnd]) == wantedName
        {
          return Array(blob[valueStart..<(valueStart + length)])
        }
        offset = (valueStart + length + 3) & ~3
      case Token.nop:
        continue
      default:  // Token.end, or anything a well-formed tree does not hold
        return nil
      }
    }
    return nil
  }

  /// A string property without its terminating NUL (`/chosen` `bootargs`), or nil.
  public func stringProperty(_ name: String, ofNodeAt path: String) -> String? {
    guard var bytes = property(name, ofNodeAt: path) else { return nil }
    if bytes.last == 0 { bytes.removeLast() }
    guard !bytes.contains(0) else { return nil }
    return String(validating: bytes, as: UTF8.self)
  }

  /// The offset of the first NUL at or after `start` and before `end`.
  private func terminator(from start: Int, before end: Int) -> Int? {
    var index = start
    while index < end {
      if blob[index] == 0 { return index }
      index += 1
    }
    return nil
  }

  private static func word(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt32 {
    UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
      | UInt32(bytes[offset + 3])
  }
}
