import Foundation

/// A ZIP archive (PKWARE APPNOTE 6.3) of stored, uncompressed files: what an export of a few small
/// CSV files needs, readable by every unzip tool. Names are UTF-8 (flag bit 11); no ZIP64, so each
/// file and the whole archive stay under 4 GiB (exports are far smaller).
public struct ZipWriter: Sendable {
    private var data = Data()
    private var central = Data()
    private var count: UInt16 = 0
    private let time: UInt16, date: UInt16

    public init(modified: Date = Date()) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: modified)
        time = UInt16(c.hour! << 11 | c.minute! << 5 | c.second! / 2)
        date = UInt16(max(0, c.year! - 1980) << 9 | c.month! << 5 | c.day!)
    }

    public mutating func add(_ name: String, _ contents: Data) {
        let nameBytes = Data(name.utf8)
        let crc = Self.crc32(contents)
        let offset = UInt32(data.count)
        var local = Data()
        local.append(le32: 0x0403_4B50)
        local.append(le16: 20); local.append(le16: 0x0800); local.append(le16: 0)  // version, UTF-8 names, stored
        local.append(le16: time); local.append(le16: date)
        local.append(le32: crc); local.append(le32: UInt32(contents.count)); local.append(le32: UInt32(contents.count))
        local.append(le16: UInt16(nameBytes.count)); local.append(le16: 0)
        data.append(local); data.append(nameBytes); data.append(contents)
        central.append(le32: 0x0201_4B50)
        central.append(le16: 20); central.append(le16: 20); central.append(le16: 0x0800); central.append(le16: 0)
        central.append(le16: time); central.append(le16: date)
        central.append(le32: crc); central.append(le32: UInt32(contents.count)); central.append(le32: UInt32(contents.count))
        central.append(le16: UInt16(nameBytes.count)); central.append(le16: 0); central.append(le16: 0)
        central.append(le16: 0); central.append(le16: 0); central.append(le32: 0); central.append(le32: offset)
        central.append(nameBytes)
        count += 1
    }

    public func finished() -> Data {
        var out = data
        out.append(central)
        out.append(le32: 0x0605_4B50)
        out.append(le16: 0); out.append(le16: 0); out.append(le16: count); out.append(le16: count)
        out.append(le32: UInt32(central.count)); out.append(le32: UInt32(data.count)); out.append(le16: 0)
        return out
    }

    static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    public static func crc32(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}

extension Data {
    mutating func append(le16 value: UInt16) { Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) } }
    mutating func append(le32 value: UInt32) { Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) } }
}
