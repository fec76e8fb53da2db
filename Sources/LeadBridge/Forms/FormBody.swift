import Foundation
import Vapor

/// The fields of a plain HTML form post, in the order the browser sent them:
/// `application/x-www-form-urlencoded` or `multipart/form-data`. A name sent twice (a group of
/// checkboxes) is kept twice; the rules join them. A file is refused: LeadBridge keeps no
/// uploads, and a silent drop would lose what the visitor meant to send.
enum FormBody {
    enum Refusal: Error, Equatable {
        case fileAttached(field: String)
        case unsupportedType
        case malformed
    }

    static func fields(of request: Request) throws(Refusal) -> [(name: String, value: String)] {
        guard let type = request.headers.contentType else { throw .unsupportedType }
        let body = request.body.data.map { Data(buffer: $0) } ?? Data()
        if type.type == "application" && type.subType == "x-www-form-urlencoded" {
            guard let text = String(data: body, encoding: .utf8) else { throw .malformed }
            return urlEncoded(text)
        }
        if type.type == "multipart" && type.subType == "form-data", let boundary = type.parameters["boundary"] {
            return try multipart(body, boundary: boundary)
        }
        throw .unsupportedType
    }

    static func urlEncoded(_ text: String) -> [(name: String, value: String)] {
        text.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true).compactMap { pair in
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]), !name.isEmpty else { return nil }
            return (name, parts.count > 1 ? (decode(parts[1]) ?? "") : "")
        }
    }

    /// `+` as a space and `%XX` as its byte, in one pass over the bytes (Foundation's
    /// replacingOccurrences and removingPercentEncoding were a tenth of a form post's time);
    /// nil for a broken escape or bytes that are not UTF-8, as removingPercentEncoding gives.
    static func decode(_ part: Substring.UTF8View.SubSequence) -> String? {
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(part.count)
        var index = part.startIndex
        while index != part.endIndex {
            let byte = part[index]
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%") {
                let first = part.index(after: index)
                guard first != part.endIndex, let high = hex(part[first]) else { return nil }
                let second = part.index(after: first)
                guard second != part.endIndex, let low = hex(part[second]) else { return nil }
                bytes.append(high << 4 | low)
                index = second
            } else {
                bytes.append(byte)
            }
            index = part.index(after: index)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    static func multipart(_ body: Data, boundary: String) throws(Refusal) -> [(name: String, value: String)] {
        final class Collected {
            var fields: [(name: String, value: String)] = []
            var name: String?
            var file: String?
            var value = ByteBuffer()
        }
        let collected = Collected()
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { header, value in
            guard header.lowercased() == "content-disposition" else { return }
            collected.name = Self.parameter("name", in: value)
            collected.file = Self.parameter("filename", in: value)
        }
        parser.onBody = { chunk in collected.value.writeBuffer(&chunk) }
        parser.onPartComplete = {
            defer { collected.name = nil; collected.file = nil; collected.value = ByteBuffer() }
            guard let name = collected.name else { return }
            if collected.file != nil {
                // An empty file input (nothing chosen) is sent with filename="" and no bytes.
                if collected.value.readableBytes > 0 || collected.file?.isEmpty == false {
                    collected.fields.append((name: "\u{0}file", value: name))
                }
                return
            }
            collected.fields.append((name, collected.value.getString(at: collected.value.readerIndex, length: collected.value.readableBytes) ?? ""))
        }
        do { try parser.execute([UInt8](body)) } catch { throw .malformed }
        if let file = collected.fields.first(where: { $0.name == "\u{0}file" }) { throw .fileAttached(field: file.value) }
        return collected.fields
    }

    /// `name="first_name"` from a Content-Disposition value.
    private static func parameter(_ key: String, in value: String) -> String? {
        for part in value.split(separator: ";") {
            let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].lowercased() == key else { continue }
            var text = String(pair[1])
            if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 { text = String(text.dropFirst().dropLast()) }
            return text
        }
        return nil
    }
}
