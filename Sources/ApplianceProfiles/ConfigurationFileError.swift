import JSON

/// Why a configuration file (a sensor profile or a board description) was refused, and where:
/// `Sensors/fridge.json:14:18: sensors[1].address: 0x99 is not a 7-bit I2C address`.
///
/// The file name, line and column come first, as compilers print them, so editors and
/// terminals can jump to the place.
public struct ConfigurationFileError: Error, Equatable, CustomStringConvertible {
  /// The file's name as the user gave it.
  public var fileName: String
  /// Where in the file the offending value (or the syntax error) starts.
  public var location: SourceLocation
  /// What is wrong, starting with the value's path for errors past the JSON syntax.
  public var message: String

  /// An error at `location` in `fileName`.
  public init(fileName: String, location: SourceLocation, message: String) {
    self.fileName = fileName
    self.location = location
    self.message = message
  }

  /// A syntax error in `text`, placed at the parser's byte offset.
  init(_ error: JSONParseError, in text: [UInt8], fileName: String) {
    self.init(
      fileName: fileName, location: SourceLocation(offset: error.offset, in: text),
      message: "invalid JSON: \(error.kind)")
  }

  /// A decoding or validation error in `text`, placed at the value its path names.
  init(_ error: JSONDecodingError, in text: [UInt8], fileName: String) {
    let offset = JSONValueLocator.offset(of: error.path, in: text)
    self.init(
      fileName: fileName, location: SourceLocation(offset: offset, in: text),
      message: error.description)
  }

  /// `file:line:column: message`.
  public var description: String {
    "\(fileName):\(location): \(message)"
  }
}

/// Parses and decodes a configuration file, placing any error at its line and column.
func decodeConfigurationFile<Document: JSONDecodable>(
  _ text: [UInt8], fileName: String, as type: Document.Type = Document.self
) throws(ConfigurationFileError) -> Document {
  let json: JSONValue
  do throws(JSONParseError) {
    json = try JSONParser.parse(text)
  } catch {
    throw ConfigurationFileError(error, in: text, fileName: fileName)
  }
  do throws(JSONDecodingError) {
    return try Document(json: json)
  } catch {
    throw ConfigurationFileError(error, in: text, fileName: fileName)
  }
}
