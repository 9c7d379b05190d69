/// A JSON object: members in document order, with unique keys.
///
/// Keys are compared by their UTF-8 bytes (JSON's code points), never by Swift's canonical
/// equivalence. The parser rejects duplicate keys, and the setter replaces an existing member,
/// so a key always names exactly one value. Lookup is a linear scan, which is the fast choice
/// for the small objects sensors exchange and needs no hashing.
public struct JSONObject: Equatable, Sendable {
  /// One member of an object.
  public struct Member: Equatable, Sendable {
    /// The member's name.
    public var key: String
    /// The member's value.
    public var value: JSONValue

    /// A member named `key` with `value`.
    public init(key: String, value: JSONValue) {
      self.key = key
      self.value = value
    }

    /// Equal keys (by UTF-8 bytes) and equal values.
    public static func == (lhs: Member, rhs: Member) -> Bool {
      lhs.key.utf8.elementsEqual(rhs.key.utf8) && lhs.value == rhs.value
    }
  }

  /// The members in order.
  public private(set) var members: [Member]

  /// An empty object.
  public init() {
    members = []
  }

  /// An object of `members`, whose keys the caller guarantees to be distinct (the parser).
  init(uniqueMembers members: [Member]) {
    self.members = members
  }

  /// The number of members.
  public var count: Int { members.count }

  /// Whether the object has no members.
  public var isEmpty: Bool { members.isEmpty }

  /// The keys in order.
  public var keys: [String] { members.map { $0.key } }

  /// The value named `key`, or nil if there is none. Setting a value replaces the member in
  /// place or appends a new one; setting nil removes the member.
  public subscript(key: String) -> JSONValue? {
    get {
      guard let index = index(of: key) else { return nil }
      return members[index].value
    }
    set {
      let existing = index(of: key)
      switch (existing, newValue) {
      case (let index?, let value?): members[index].value = value
      case (let index?, nil): members.remove(at: index)
      case (nil, let value?): members.append(Member(key: key, value: value))
      case (nil, nil): break
      }
    }
  }

  private func index(of key: String) -> Int? {
    members.firstIndex { $0.key.utf8.elementsEqual(key.utf8) }
  }
}
