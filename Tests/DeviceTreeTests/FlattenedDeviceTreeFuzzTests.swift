import DeviceTree
import Randomness
import XCTest

/// Seeded fuzzing of the device tree reader with what a boot loader might hand over: random
/// well-formed trees, which must read back exactly, and mutations of them (bits flipped, words
/// set to tokens or to lengths and offsets past the blob, bytes inserted, removed or cut off),
/// which must be refused at the header or give only values that really are properties of the
/// asked name inside the blob's structure block.
final class FlattenedDeviceTreeFuzzTests: XCTestCase {
  /// A property lookup: the node's path and the property's name.
  struct Lookup: Hashable {
    var path: String
    var name: String
  }

  /// A tree and the value each lookup finds in it: the first property of that name, in
  /// document order, of a node on that path (siblings may share a name).
  struct RandomTree {
    var blob: [UInt8] = []
    var values: [Lookup: [UInt8]] = [:]
  }

  static let nodeNames = ["chosen", "memory@40000000", "pl011@9000000", "a", "a,b-c"]
  static let propertyNames = ["bootargs", "compatible", "reg", "#address-cells", "x"]

  func testRandomTreesReadBackEveryProperty() {
    var random = SeededRandom(seed: 0xD7B_0001)
    var lookups = 0
    for _ in 0..<300 {
      let tree = Self.randomTree(using: &random)
      tree.blob.withUnsafeBytes { bytes in
        guard let reader = FlattenedDeviceTree(blob: bytes) else { return XCTFail("refused") }
        for (lookup, value) in tree.values {
          XCTAssertEqual(reader.property(lookup.name, ofNodeAt: lookup.path), value, "\(lookup)")
          lookups += 1
        }
        XCTAssertNil(reader.property("missing", ofNodeAt: "/"))
        XCTAssertNil(reader.property("x", ofNodeAt: "/missing"))
      }
    }
    XCTAssertGreaterThan(lookups, 2000, "the trees hold properties")
  }

  func testBytesTheHeaderLeavesOutAreNeverRead() {
    // The reservation map, the header words the reader has no use for, and whatever follows
    // the blob's total size in memory may hold anything without changing a lookup.
    var random = SeededRandom(seed: 0xD7B_0002)
    for _ in 0..<200 {
      let tree = Self.randomTree(using: &random)
      var blob = tree.blob
      for index in 16..<32 { blob[index] = UInt8.random(in: 0...255, using: &random) }
      for index in 40..<56 { blob[index] = UInt8.random(in: 0...255, using: &random) }
      blob += (0..<Int.random(in: 1...64, using: &random)).map { _ in
        UInt8.random(in: 0...255, using: &random)
      }
      blob.withUnsafeBytes { bytes in
        guard let reader = FlattenedDeviceTree(blob: bytes) else { return XCTFail("refused") }
        for (lookup, value) in tree.values {
          XCTAssertEqual(reader.property(lookup.name, ofNodeAt: lookup.path), value, "\(lookup)")
        }
      }
    }
  }

  func testMutatedBlobsAreRefusedOrGiveOnlyPropertiesInsideTheirStructureBlock() {
    var random = SeededRandom(seed: 0xD7B_0003)
    let seeds = (0..<8).map { _ in Self.randomTree(using: &random) }
    var accepted = 0
    var found = 0
    for iteration in 0..<3000 {
      let seed = seeds[iteration % seeds.count]
      var blob = seed.blob
      for _ in 0..<Int.random(in: 1...4, using: &random) { Self.mutate(&blob, using: &random) }
      blob.withUnsafeBytes { bytes in
        // An exact-size buffer: a read past it traps in a debug build.
        let reader = FlattenedDeviceTree(blob: bytes)
        XCTAssertEqual(reader != nil, Self.headerLiesInside(blob), "iteration \(iteration)")
        guard let reader else { return }
        accepted += 1
        // Mostly what the tree held before the damage, and some lookups of anything.
        let lookups = seed.values.keys.shuffled(using: &random).prefix(6)
        for lookup in lookups + (0..<2).map({ _ in Self.randomLookup(using: &random) }) {
          guard let value = reader.property(lookup.name, ofNodeAt: lookup.path) else { continue }
          found += 1
          XCTAssertTrue(
            Self.isProperty(value, named: lookup.name, in: blob),
            "iteration \(iteration): \(lookup) gave \(value), no property of the blob")
          if let text = reader.stringProperty(lookup.name, ofNodeAt: lookup.path) {
            XCTAssertTrue(value == Array(text.utf8) || value == Array(text.utf8) + [0])
            XCTAssertFalse(text.utf8.contains(0))
          }
        }
      }
    }
    // The mutations leave enough trees whole to exercise the lookups, not just the header.
    XCTAssertGreaterThan(accepted, 1000)
    XCTAssertGreaterThan(found, 1000)
  }

  // MARK: - Trees

  /// A tree of random depth and breadth, its nodes and properties named from small sets so
  /// that names repeat, with NOPs here and there.
  static func randomTree(using random: inout SeededRandom) -> RandomTree {
    var writer = DeviceTreeBlobWriter()
    var tree = RandomTree()
    func node(_ name: String, path: String, depth: Int) {
      writer.beginNode(name)
      for _ in 0..<Int.random(in: 0...3, using: &random) {
        let name = propertyNames.randomElement(using: &random)!
        let value = (0..<Int.random(in: 0...24, using: &random)).map { _ in
          UInt8.random(in: 0...255, using: &random)
        }
        writer.property(name, value)
        let lookup = Lookup(path: path, name: name)
        if tree.values[lookup] == nil { tree.values[lookup] = value }
        if random.chance(0.1) { writer.nop() }
      }
      if depth < 3 {
        for _ in 0..<Int.random(in: 0...3, using: &random) {
          let child = nodeNames.randomElement(using: &random)!
          node(child, path: (depth == 0 ? "" : path) + "/" + child, depth: depth + 1)
        }
      }
      writer.endNode()
    }
    node("", path: "/", depth: 0)
    tree.blob = writer.blob()
    return tree
  }

  static func randomLookup(using random: inout SeededRandom) -> Lookup {
    var path = ""
    for _ in 0..<Int.random(in: 0...2, using: &random) {
      path += "/" + nodeNames.randomElement(using: &random)!
    }
    let names = propertyNames + ["model", "device_type"]
    return Lookup(
      path: path.isEmpty ? "/" : path, name: names.randomElement(using: &random)!)
  }

  // MARK: - Mutations

  /// One random damage to `blob`.
  static func mutate(_ blob: inout [UInt8], using random: inout SeededRandom) {
    guard !blob.isEmpty else {
      blob = [0xD0, 0x0D, 0xFE, 0xED]
      return
    }
    let index = Int(random.next(below: UInt64(blob.count)))
    switch random.next(below: 8) {
    case 0: blob[index] ^= 1 << UInt8(random.next(below: 8))
    case 1:
      blob[index] = [0x00, 0x01, 0x02, 0x03, 0x04, 0x09, 0x7F, 0x80, 0xFF].randomElement(
        using: &random)!
    case 2, 3:
      // A header word (sizes and offsets) or a structure-block word (tokens, lengths, name
      // offsets) set to a value that is a token, or points at or past the end of the blob.
      let wordIndex = random.chance(0.5) ? Int(random.next(below: 10)) : index / 4
      let value = [
        0, 1, 2, 3, 4, 9, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0xFFFF_FFFC,
        UInt32(blob.count), UInt32(blob.count) &+ 1, UInt32(blob.count) &- 4, 1 << 20,
        UInt32(truncatingIfNeeded: random.next()),
      ].randomElement(using: &random)!
      var word: [UInt8] = []
      DeviceTreeBlobWriter.append(value, to: &word)
      for offset in 0..<4 where 4 * wordIndex + offset < blob.count {
        blob[4 * wordIndex + offset] = word[offset]
      }
    case 4:
      blob.insert(
        contentsOf: (0..<Int.random(in: 1...8, using: &random)).map { _ in
          UInt8.random(in: 0...255, using: &random)
        }, at: index)
    case 5:
      blob.removeSubrange(index..<min(blob.count, index + Int.random(in: 1...8, using: &random)))
    case 6: blob.removeLast(blob.count - index)
    default:
      // A run of the blob copied over another place: tokens and names out of order.
      let source = Int(random.next(below: UInt64(blob.count)))
      let count = min(Int.random(in: 4...32, using: &random), blob.count - max(source, index))
      for offset in 0..<count { blob[index + offset] = blob[source + offset] }
    }
  }

  // MARK: - The specification, read independently

  /// Whether the header lies inside `blob`: the magic, a total size of at least the header and
  /// at most the blob (and the reader's limit), and the structure block (4-byte aligned) and
  /// strings block inside that size.
  static func headerLiesInside(_ blob: [UInt8]) -> Bool {
    guard blob.count >= 40, word(blob, at: 0) == 0xD00D_FEED else { return false }
    let totalSize = UInt64(word(blob, at: 4))
    let structureOffset = UInt64(word(blob, at: 8))
    let stringsOffset = UInt64(word(blob, at: 12))
    return totalSize >= 40 && totalSize <= blob.count
      && totalSize <= FlattenedDeviceTree.maximumByteCount && structureOffset % 4 == 0
      && structureOffset + UInt64(word(blob, at: 36)) <= totalSize
      && stringsOffset + UInt64(word(blob, at: 32)) <= totalSize
  }

  /// Whether `value` is the value of an FDT_PROP token named `name` in the structure block of
  /// `blob`: the token on a 4-byte boundary, its length that of `value`, the value's bytes
  /// inside the block, and its name a NUL-terminated string inside the strings block.
  static func isProperty(_ value: [UInt8], named name: String, in blob: [UInt8]) -> Bool {
    let structureOffset = Int(word(blob, at: 8))
    let structureEnd = structureOffset + Int(word(blob, at: 36))
    let stringsOffset = Int(word(blob, at: 12))
    let stringsEnd = stringsOffset + Int(word(blob, at: 32))
    var offset = structureOffset
    while offset + 12 + value.count <= structureEnd {
      defer { offset += 4 }
      let valueStart = offset + 12
      guard word(blob, at: offset) == 3, word(blob, at: offset + 4) == value.count,
        Array(blob[valueStart..<valueStart + value.count]) == value
      else { continue }
      let nameStart = stringsOffset + Int(word(blob, at: offset + 8))
      if nameStart < stringsEnd, let nameEnd = blob[nameStart..<stringsEnd].firstIndex(of: 0),
        Array(blob[nameStart..<nameEnd]) == Array(name.utf8)
      {
        return true
      }
    }
    return false
  }

  static func word(_ blob: [UInt8], at offset: Int) -> UInt32 {
    blob[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
  }
}
