import Foundation
import Testing
@testable import MailKit

/// The message as bytes: what a mail reader will parse.
@Suite struct MIMEWriterTests {
    private func message(name: String = "Ada Lovelace", subject: String = "New enquiry", text: String = "Hello", html: String? = "<p>Hello</p>") throws -> MailMessage {
        MailMessage(from: try MailAddress("leads@example.test", name: "LeadBridge"),
                    to: [try MailAddress("staff@example.test")],
                    replyTo: try MailAddress("ada@example.test", name: name),
                    subject: MailHeaderText(subject), text: text, html: html,
                    date: Date(timeIntervalSince1970: 1_800_000_000), messageID: "abc@example.test")
    }

    private func headers(_ rendered: String) -> [String] {
        let head = rendered.components(separatedBy: "\r\n\r\n")[0]
        // Unfolded: a continuation line joins the header before it.
        return head.replacingOccurrences(of: "\r\n ", with: " ").components(separatedBy: "\r\n")
    }

    @Test func multipartAlternativeHasTextThenHTML() throws {
        let rendered = MIMEWriter.render(try message(), boundary: "BOUNDARY")
        #expect(rendered.contains("Content-Type: multipart/alternative;\r\n boundary=\"BOUNDARY\"\r\n"))
        let text = try #require(rendered.range(of: "Content-Type: text/plain; charset=utf-8"))
        let html = try #require(rendered.range(of: "Content-Type: text/html; charset=utf-8"))
        #expect(text.lowerBound < html.lowerBound)
        #expect(rendered.hasSuffix("--BOUNDARY--\r\n"))
        #expect(headers(rendered).contains("Date: Fri, 15 Jan 2027 08:00:00 +0000"))
        #expect(headers(rendered).contains("Message-ID: <abc@example.test>"))
        #expect(headers(rendered).contains("MIME-Version: 1.0"))
        #expect(headers(rendered).contains("Reply-To: Ada Lovelace <ada@example.test>"))
    }

    @Test func aMessageIDIsMadeOnTheSendersDomain() throws {
        var plain = try message()
        plain.messageID = nil
        let id = try #require(headers(MIMEWriter.render(plain)).first { $0.hasPrefix("Message-ID: <") })
        #expect(id.hasSuffix("@example.test>"))
    }

    @Test func utf8HeadersAreEncodedWordsThatDecodeBack() throws {
        let subject = "Nouvelle demande : Zoë Ångström — Stratégie 🚀"
        let rendered = MIMEWriter.render(try message(name: "Zoë Ångström", subject: subject))
        let line = try #require(headers(rendered).first { $0.hasPrefix("Subject: ") })
        #expect(line.utf8.allSatisfy { $0 < 0x80 })
        #expect(decodeWords(String(line.dropFirst("Subject: ".count))) == subject)
        for raw in rendered.components(separatedBy: "\r\n\r\n")[0].components(separatedBy: "\r\n") {
            #expect(raw.utf8.count <= 78, "header line too long: \(raw)")
        }
        let replyTo = try #require(headers(rendered).first { $0.hasPrefix("Reply-To: ") })
        #expect(replyTo.hasSuffix(" <ada@example.test>"))
        #expect(decodeWords(String(replyTo.dropFirst("Reply-To: ".count).dropLast(" <ada@example.test>".count))) == "Zoë Ångström")
    }

    @Test func aLineBreakInAnyHeaderValueIsImpossible() throws {
        let hostile = "Eve\r\nBcc: victim@example.test\nX-Evil: 1\r\n\r\nbody"
        let rendered = MIMEWriter.render(try message(name: hostile, subject: hostile))
        let all = headers(rendered)
        #expect(!all.contains { $0.hasPrefix("Bcc:") || $0.hasPrefix("X-Evil:") })
        #expect(MailHeaderText(hostile).value == "Eve Bcc: victim@example.test X-Evil: 1 body")
        #expect(throws: MailAddressError.self) { try MailAddress("eve@example.test\r\nBcc: victim@example.test") }
        #expect(throws: MailAddressError.self) { try MailAddress("eve@example.test>, <victim@example.test") }
        #expect(throws: MailAddressError.self) { try MailAddress("no-at-sign") }
    }

    @Test func quotedSpecialsInADisplayName() throws {
        let rendered = MIMEWriter.render(try message(name: "O\"Brien, Pat"))
        #expect(headers(rendered).contains("Reply-To: \"O\\\"Brien, Pat\" <ada@example.test>"))
    }

    @Test func bodiesAreQuotedPrintableWithShortLines() throws {
        let long = String(repeating: "word ", count: 400) + "é and = sign, trailing space "
        let rendered = MIMEWriter.render(try message(text: long + "\n.leading dot\nlast", html: "<p>" + long + "</p>"))
        for line in rendered.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 76)
        }
        #expect(rendered.contains("=C3=A9 and =3D sign"))
        #expect(decodeQuotedPrintable(MIMEWriter.quotedPrintable(long + "\nnext")) == long + "\r\nnext")
        #expect(!rendered.contains("\n\n") && !rendered.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
    }

    @Test func aPlainTextMessageHasNoMultipart() throws {
        let rendered = MIMEWriter.render(try message(html: nil))
        #expect(!rendered.contains("multipart"))
        #expect(headers(rendered).contains("Content-Type: text/plain; charset=utf-8"))
    }

    @Test func dotStuffingDoublesALeadingDotAndEndsWithTheTerminator() {
        let wire = SMTPData.stuffed("one\r\n.\r\n..two\nthree\r\n")
        #expect(wire == "one\r\n..\r\n...two\r\nthree\r\n.\r\n")
    }

    @Test func extraHeaderNamesAreChecked() throws {
        var withHeaders = try message()
        withHeaders.headers = [("Auto-Submitted", "auto-generated"), ("Bad Name", "x"), ("X-Ok:Not", "y")]
        let all = headers(MIMEWriter.render(withHeaders))
        #expect(all.contains("Auto-Submitted: auto-generated"))
        #expect(!all.contains { $0.hasPrefix("Bad Name") || $0.hasPrefix("X-Ok") })
    }

    @Test func repliesParseQueueIDs() throws {
        var parser = SMTPReply.Parser()
        #expect(try parser.feed("250-mail.example.test") == nil)
        let reply = try #require(try parser.feed("250 2.0.0 Ok: queued as 4BvX2r1"))
        #expect(reply.lines.count == 2)
        #expect(reply.queueID == "4BvX2r1")
        #expect(throws: SMTPError.self) { var bad = SMTPReply.Parser(); _ = try bad.feed("HTTP/1.1 200 OK") }
    }

    @Test func plainTextIsRefusedBeyondThisMachine() {
        #expect(SMTPConfiguration.isLoopback("127.0.0.1") && SMTPConfiguration.isLoopback("localhost") && SMTPConfiguration.isLoopback("::1"))
        #expect(!SMTPConfiguration.isLoopback("mail.example.test") && !SMTPConfiguration.isLoopback("127.0.0.1.evil.test"))
        #expect(throws: SMTPError.plainTextRefused(host: "mail.example.test")) {
            try SMTPClient(configuration: .init(host: "mail.example.test", port: 25, encryption: .none))
        }
    }
}

/// Decodes `=?UTF-8?B?…?=` words separated by spaces, as a mail reader does.
func decodeWords(_ value: String) -> String {
    value.split(separator: " ").map { word -> String in
        guard word.hasPrefix("=?UTF-8?B?"), word.hasSuffix("?=") else { return String(word) }
        let base64 = word.dropFirst("=?UTF-8?B?".count).dropLast(2)
        return Data(base64Encoded: String(base64)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }.joined()
}

func decodeQuotedPrintable(_ text: String) -> String {
    var bytes: [UInt8] = []
    let source = Array(text.replacingOccurrences(of: "=\r\n", with: "").utf8)
    var index = 0
    while index < source.count {
        if source[index] == UInt8(ascii: "="), index + 2 < source.count,
           let value = UInt8(String(decoding: source[(index + 1)...(index + 2)], as: UTF8.self), radix: 16) {
            bytes.append(value)
            index += 3
        } else {
            bytes.append(source[index])
            index += 1
        }
    }
    return String(decoding: bytes, as: UTF8.self)
}
