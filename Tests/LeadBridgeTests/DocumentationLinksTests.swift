import Foundation
import Testing

/// The README and docs/ are for people who cloned only this repository: every relative link
/// must lead to a file in it, and none may point outside it (issue #18).
@Suite struct DocumentationLinksTests {
    private static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    private static var documents: [URL] {
        let docs = root.appendingPathComponent("docs")
        let pages = (try? FileManager.default.contentsOfDirectory(at: docs, includingPropertiesForKeys: nil)) ?? []
        return [root.appendingPathComponent("README.md")] + pages.filter { $0.pathExtension == "md" }.sorted { $0.path < $1.path }
    }

    /// `[text](target)` links, without their `#fragment`; web and mail links left out.
    static func relativeLinks(in text: String) -> [String] {
        let pattern = try! NSRegularExpression(pattern: #"\]\(([^)\s]+)\)"#)
        let range = NSRange(text.startIndex..., in: text)
        return pattern.matches(in: text, range: range).compactMap { match in
            guard let found = Range(match.range(at: 1), in: text) else { return nil }
            let target = String(text[found])
            if target.hasPrefix("http://") || target.hasPrefix("https://") || target.hasPrefix("mailto:") || target.hasPrefix("#") {
                return nil
            }
            return String(target.split(separator: "#", maxSplits: 1).first ?? "")
        }
    }

    @Test func everyRelativeLinkInTheReadmeAndDocsLeadsToAFileInTheRepository() throws {
        #expect(Self.documents.count >= 4, "README, architecture, operations, providers")
        var broken: [String] = []
        for document in Self.documents {
            let text = try String(contentsOf: document, encoding: .utf8)
            #expect(!text.contains("../shared"), "\(document.lastPathComponent) points outside the repository")
            for link in Self.relativeLinks(in: text) {
                let target = document.deletingLastPathComponent().appendingPathComponent(link).standardizedFileURL
                if !target.path.hasPrefix(Self.root.standardizedFileURL.path) || !FileManager.default.fileExists(atPath: target.path) {
                    broken.append("\(document.lastPathComponent): \(link)")
                }
            }
        }
        #expect(broken.isEmpty, "links that lead nowhere in this repository: \(broken)")
    }

    @Test func theLinkReaderFindsWhatItShould() {
        let text = "See [ops](docs/operations.md#deploy), [site](https://example.com), [top](#top) and [up](../shared/x.md)."
        #expect(Self.relativeLinks(in: text) == ["docs/operations.md", "../shared/x.md"])
    }
}
