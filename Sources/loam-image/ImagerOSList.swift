import Foundation

/// A repository file in Raspberry Pi Imager's OS-list format with one entry, the image, so that
/// `rpi-imager --repo FILE-OR-URL` lists it. Imager downloads `url`, checks the download against
/// `image_download_sha256` and the extracted image against `extract_sha256`, and offers the
/// entry for the boards whose tags `devices` names. There is no `init_format`: the image has no
/// first-boot customisation for Imager to write.
struct ImagerOSList {
  let name: String
  let description: String
  let url: String
  let extractSize: UInt64
  let extractSHA256: String
  let imageDownloadSize: UInt64
  let imageDownloadSHA256: String
  /// YYYY-MM-DD.
  let releaseDate: String
  let devices: [String]

  var data: Data {
    get throws {
      let entry: [String: Any] = [
        "name": name,
        "description": description,
        "url": url,
        "extract_size": extractSize,
        "extract_sha256": extractSHA256,
        "image_download_size": imageDownloadSize,
        "image_download_sha256": imageDownloadSHA256,
        "release_date": releaseDate,
        "devices": devices,
      ]
      var data = try JSONSerialization.data(
        withJSONObject: ["os_list": [entry]],
        options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
      data.append(UInt8(ascii: "\n"))
      return data
    }
  }
}
