import JSON

/// An appliance image's settings, which its owner may edit on a PC before the first boot: the
/// `appliance.json` on a Raspberry Pi image's boot partition (Images/README.md), which the Pi's
/// firmware loads into RAM for the unikernel (`initramfs appliance.json 0x04000000`).
///
/// ```json
/// {"name": "kitchen-fridge", "app": "fridge", "hub": "http://hub.local:8080"}
/// ```
///
/// The firmware passes no length, so the settings are read from a window of memory up to the
/// end of the first complete JSON value: whatever follows it in RAM is not part of the file.
public struct ApplianceSettings: Equatable, Sendable {
  /// The appliance's name: its id at the hub.
  public var name: String?
  /// The appliance it is: a profile in `Sensors/` (`plant-pot`, `fridge`).
  public var app: String?
  /// The hub's URL.
  public var hub: String?

  /// The most bytes the settings may take.
  public static let maximumByteCount = 4096

  /// Settings from their parts.
  public init(name: String? = nil, app: String? = nil, hub: String? = nil) {
    self.name = name
    self.app = app
    self.hub = hub
  }

  /// The settings at the start of `memory` (at most `maximumByteCount` bytes of it are looked
  /// at): a UTF-8 byte-order mark and whitespace, then one JSON object whose members are
  /// strings. Unknown members are refused, so that a misspelt key is not silently ignored.
  public init(loadedFile memory: UnsafeRawBufferPointer) throws(ApplianceSettingsError) {
    let window = UnsafeRawBufferPointer(
      rebasing: memory[0..<min(memory.count, Self.maximumByteCount)])
    var start = 0
    if window.count >= 3 && window[0] == 0xEF && window[1] == 0xBB && window[2] == 0xBF {
      start = 3
    }
    while start < window.count && [0x20, 0x09, 0x0A, 0x0D].contains(window[start]) { start += 1 }
    guard start < window.count, window[start] == UInt8(ascii: "{") else { throw .notAnObject }
    guard let end = Self.endOfObject(in: window, from: start) else { throw .unterminated }
    let document: JSONValue
    do throws(JSONParseError) {
      document = try JSONParser.parse(Array(window[start..<end]))
    } catch {
      throw .invalidJSON("\(error)")
    }
    guard let object = document.objectValue else { throw .notAnObject }
    for member in object.members {
      let key = member.key
      guard let text = member.value.stringValue else { throw .notAString(key) }
      switch key {
      case "name": name = text
      case "app": app = text
      case "hub": hub = text
      default: throw .unknownKey(key)
      }
    }
  }

  /// The offset just past the `}` that closes the object opened at `start`, or nil when the
  /// window ends first. Braces inside strings (and escaped quotes) do not count.
  static func endOfObject(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
    var depth = 0
    var isInString = false
    var isEscaped = false
    for index in start..<bytes.count {
      let byte = bytes[index]
      if isInString {
        if isEscaped {
          isEscaped = false
        } else if byte == UInt8(ascii: "\\") {
          isEscaped = true
        } else if byte == UInt8(ascii: "\"") {
          isInString = false
        }
        continue
      }
      switch byte {
      case UInt8(ascii: "\""): isInString = true
      case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
      case UInt8(ascii: "}"), UInt8(ascii: "]"):
        depth -= 1
        if depth == 0 { return index + 1 }
      default: break
      }
    }
    return nil
  }
}

/// Why an appliance's settings could not be read.
public enum ApplianceSettingsError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The memory does not start with a JSON object: no settings file was loaded there.
  case notAnObject
  /// The object does not end within the 4096 bytes a settings file may take.
  case unterminated
  /// The object is not valid JSON.
  case invalidJSON(String)
  /// A member's value is not a string.
  case notAString(String)
  /// A member the settings do not have.
  case unknownKey(String)

  public var description: String {
    switch self {
    case .notAnObject: return "no settings: the memory holds no JSON object"
    case .unterminated: return "the settings do not end within 4096 bytes"
    case .invalidJSON(let detail): return "the settings are not valid JSON: \(detail)"
    case .notAString(let key): return "the settings' \"\(key)\" is not a string"
    case .unknownKey(let key): return "the settings have no \"\(key)\" (name, app and hub only)"
    }
  }
}
