/// An array or object the parser has opened and not yet closed.
private struct OpenContainer {
  var isObject: Bool
  /// The elements so far, for an array.
  var elements: [JSONValue] = []
  /// The members so far, for an object, with the byte offset of each key.
  var members: [JSONObject.Member] = []
  var keyOffsets: [Int] = []
  /// The key read for the member whose value comes next.
  var pendingKey = ""
  var pendingKeyOffset = 0

  mutating func add(_ value: JSONValue) {
    if isObject {
      members.append(JSONObject.Member(key: pendingKey, value: value))
      keyOffsets.append(pendingKeyOffset)
    } else {
      elements.append(value)
    }
  }
}

extension Parser {
  /// Parses one document: a value, then nothing but whitespace.
  ///
  /// The outer loop reads a value or opens a container. A complete value is handed to the inner
  /// loop, which adds it to the innermost open container and closes containers for as long as
  /// closing brackets follow.
  mutating func parseDocument() throws(JSONParseError) -> JSONValue {
    if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF {
      throw error(.byteOrderMark)
    }
    var stack: [OpenContainer] = []
    while true {
      guard var value = try parseScalarOrOpenContainer(&stack) else { continue }
      while true {
        guard var container = stack.popLast() else { return try finish(value) }
        container.add(value)
        skipWhitespace()
        if try continueAfterElement(&container) {
          stack.append(container)
          break
        }
        value = try close(container)
      }
    }
  }

  /// Reads a scalar value, or opens a container and returns nil; `{}` and `[]` are values.
  private mutating func parseScalarOrOpenContainer(
    _ stack: inout [OpenContainer]
  ) throws(JSONParseError) -> JSONValue? {
    skipWhitespace()
    guard let byte = current else { throw error(.unexpectedEndOfInput) }
    guard byte == ASCII.openBrace || byte == ASCII.openBracket else { return try parseScalar() }
    guard stack.count < limits.maximumDepth else {
      throw error(.depthLimitExceeded(limits.maximumDepth))
    }
    position += 1
    skipWhitespace()
    var container = OpenContainer(isObject: byte == ASCII.openBrace)
    if container.isObject {
      if current == ASCII.closeBrace {
        position += 1
        return .object(JSONObject())
      }
      try readKey(into: &container)
    } else if current == ASCII.closeBracket {
      position += 1
      return .array([])
    }
    stack.append(container)
    return nil
  }

  /// After an element: consumes `,` (and the next key) and returns true, or consumes the
  /// closing bracket and returns false.
  private mutating func continueAfterElement(
    _ container: inout OpenContainer
  ) throws(JSONParseError) -> Bool {
    let closing = container.isObject ? ASCII.closeBrace : ASCII.closeBracket
    switch current {
    case ASCII.comma:
      position += 1
      skipWhitespace()
      if current == closing {
        throw error(container.isObject ? .trailingCommaInObject : .trailingCommaInArray)
      }
      if container.isObject { try readKey(into: &container) }
      return true
    case closing:
      position += 1
      return false
    case nil:
      throw error(.unexpectedEndOfInput)
    default:
      throw error(container.isObject ? .expectedCommaOrObjectEnd : .expectedCommaOrArrayEnd)
    }
  }

  /// Reads `"key" :`, leaving the position at the value.
  private mutating func readKey(into container: inout OpenContainer) throws(JSONParseError) {
    guard current == ASCII.quote else {
      throw error(current == nil ? .unexpectedEndOfInput : .expectedKey)
    }
    container.pendingKeyOffset = position
    container.pendingKey = try parseString()
    skipWhitespace()
    guard current == ASCII.colon else {
      throw error(current == nil ? .unexpectedEndOfInput : .expectedColon)
    }
    position += 1
  }

  /// The finished container as a value; rejects an object with a repeated key.
  private func close(_ container: OpenContainer) throws(JSONParseError) -> JSONValue {
    guard container.isObject else { return .array(container.elements) }
    if let duplicate = Self.firstRepeatedKey(container.members) {
      let key = container.members[duplicate].key
      throw JSONParseError(.duplicateKey(key), at: container.keyOffsets[duplicate])
    }
    return .object(JSONObject(uniqueMembers: container.members))
  }

  /// The index of the earliest member whose key appeared before it, or nil.
  ///
  /// Sorting member indices by key bytes puts repeats next to each other in O(n log n),
  /// without hashing; ties keep document order, so the later index of a pair is the repeat.
  private static func firstRepeatedKey(_ members: [JSONObject.Member]) -> Int? {
    guard members.count > 1 else { return nil }
    let order = members.indices.sorted { left, right in
      let leftKey = members[left].key.utf8
      let rightKey = members[right].key.utf8
      if leftKey.elementsEqual(rightKey) { return left < right }
      return leftKey.lexicographicallyPrecedes(rightKey)
    }
    var earliest: Int? = nil
    for (first, second) in zip(order, order.dropFirst())
    where members[first].key.utf8.elementsEqual(members[second].key.utf8) {
      earliest = min(earliest ?? second, second)
    }
    return earliest
  }

  /// Accepts the complete top-level value if only whitespace follows it.
  private mutating func finish(_ value: JSONValue) throws(JSONParseError) -> JSONValue {
    skipWhitespace()
    guard position == bytes.count else { throw error(.trailingData) }
    return value
  }
}
