import Crypto
import Foundation

/// Reads back the CSV that `SuiteDashExporter` writes (RFC 4180: quoted cells may hold commas,
/// quotes doubled, and line breaks), record by record, to drop some records and keep the rest
/// byte for byte.
enum CSVRecords {
    /// The file without the records whose first cell is one of `ids` (the header, and a byte
    /// order mark, are kept); and how many records were dropped.
    static func removing(ids: Set<Int>, from data: Data) -> (Data, Int) {
        let bytes = [UInt8](data)
        var output = [UInt8]()
        output.reserveCapacity(bytes.count)
        var index = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { output.append(contentsOf: [0xEF, 0xBB, 0xBF]); index = 3 }
        var removed = 0
        var isHeader = true
        while index < bytes.count {
            let start = index
            var firstCell = [UInt8]()
            var inFirstCell = true
            var quoted = false
            // To the end of the record: a line break outside quotes.
            while index < bytes.count {
                let byte = bytes[index]
                if quoted {
                    if byte == UInt8(ascii: "\"") {
                        if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\"") { index += 1 } else { quoted = false }
                    }
                } else if byte == UInt8(ascii: "\"") {
                    quoted = true
                } else if byte == UInt8(ascii: ",") {
                    inFirstCell = false
                } else if byte == 0x0A {
                    index += 1
                    break
                } else if inFirstCell, byte != 0x0D {
                    firstCell.append(byte)
                }
                index += 1
            }
            let record = bytes[start..<index]
            if !isHeader, let id = Int(String(decoding: firstCell, as: UTF8.self)), ids.contains(id) {
                removed += 1
            } else {
                output.append(contentsOf: record)
            }
            isHeader = false
        }
        return (Data(output), removed)
    }
}

enum SHA256Hex {
    static func of(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }
}
