extension JSONValue {
  /// The member `key` if this is an object that has it; nil otherwise. Chains read naturally in
  /// tests and tools: `document["error"]?["code"]`.
  public subscript(key: String) -> JSONValue? {
    objectValue?[key]
  }
}
