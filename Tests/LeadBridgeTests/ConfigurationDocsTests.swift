import Foundation
import Testing

/// docs/configuration.md, .env.example and the code must name the same variables, so none of
/// the three drifts from the others (issue #18): every variable in .env.example has one row in
/// docs/configuration.md and no row names one it lacks; every variable the code reads is in
/// .env.example.
@Suite struct ConfigurationDocsTests {
    private static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    private static func read(_ relativePath: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(relativePath), encoding: .utf8)
    }

    private static func matches(_ pattern: String, in text: String, options: NSRegularExpression.Options = []) -> [String] {
        let regex = try! NSRegularExpression(pattern: pattern, options: options)
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    /// Names set in .env.example: `NAME=value`, or commented out as `# NAME=value` / `#NAME=value`.
    static func variablesInEnvExample(_ text: String) -> [String] {
        matches(#"^#?[ \t]*([A-Z][A-Z0-9_]*)="#, in: text, options: .anchorsMatchLines)
    }

    /// Names in docs/configuration.md's table rows: `| `NAME` | default | what it does |`.
    static func variablesInConfigurationTable(_ text: String) -> [String] {
        matches(#"^\|[ \t]*`([A-Z][A-Z0-9_]*)`[ \t]*\|"#, in: text, options: .anchorsMatchLines)
    }

    /// Names the code reads from the environment: through `EnvironmentReader`
    /// (`reader.string("X")`, `.int`, `.bool`, `.list`, `reader.values["X"]`), or directly
    /// (`environment["X"]` on ProcessInfo, Vapor's `Environment.get("X")` and
    /// `Environment.process.X`, `getenv("X")`).
    static func variablesReadBy(_ source: String) -> [String] {
        let patterns = [
            #"reader\.(?:string|int|bool|list)\(\s*"([A-Z][A-Z0-9_]*)"\s*\)"#,
            #"reader\.values\[\s*"([A-Z][A-Z0-9_]*)"\s*\]"#,
            #"environment\[\s*"([A-Z][A-Z0-9_]*)"\s*\]"#,
            #"Environment\.get\(\s*"([A-Z][A-Z0-9_]*)"\s*\)"#,
            #"getenv\(\s*"([A-Z][A-Z0-9_]*)"\s*\)"#,
            #"Environment\.process\.([A-Z][A-Z0-9_]*)\b"#,
        ]
        return patterns.flatMap { matches($0, in: source) }
    }

    private static var swiftSources: [URL] {
        let sources = root.appendingPathComponent("Sources")
        guard let walker = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil) else { return [] }
        return walker.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }.sorted { $0.path < $1.path }
    }

    @Test func everyVariableInEnvExampleHasOneRowInTheConfigurationPageAndNoRowNamesAnother() throws {
        let example = Self.variablesInEnvExample(try Self.read(".env.example"))
        let documented = Self.variablesInConfigurationTable(try Self.read("docs/configuration.md"))
        #expect(example.count >= 40, "found only \(example.count) variables in .env.example: has its format changed?")

        let missing = Set(example).subtracting(documented).sorted()
        let extra = Set(documented).subtracting(example).sorted()
        let twice = Dictionary(grouping: documented, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
        #expect(missing.isEmpty, "in .env.example but without a row in docs/configuration.md: \(missing)")
        #expect(extra.isEmpty, "a row in docs/configuration.md but not in .env.example: \(extra)")
        #expect(twice.isEmpty, "more than one row in docs/configuration.md: \(twice)")
    }

    @Test func everyVariableTheCodeReadsIsInEnvExample() throws {
        var readBy: [String: Set<String>] = [:]
        for file in Self.swiftSources {
            let text = try String(contentsOf: file, encoding: .utf8)
            for name in Self.variablesReadBy(text) {
                readBy[name, default: []].insert(file.path.replacingOccurrences(of: Self.root.path + "/", with: ""))
            }
        }
        #expect(readBy.count >= 40, "found only \(readBy.count) variables read in Sources/: has the way they are read changed?")

        let example = Set(Self.variablesInEnvExample(try Self.read(".env.example")))
        let missing = readBy.keys.filter { !example.contains($0) }.sorted()
        #expect(missing.isEmpty, "read by the code but not in .env.example: \(missing.map { "\($0) (\(readBy[$0]!.sorted().joined(separator: ", ")))" })")
    }

    @Test func theReadersFindWhatTheyShould() {
        let example = """
            # --- Application ---
            # Public address; https:// makes cookies Secure. Not A_VARIABLE= in prose.
            APP_URL=http://localhost:8000
            APP_KEY=
            #RINGCENTRAL_REDIRECT_URI=http://localhost:8000/callback
            # SUITEDASH_TAGS=website-lead
            lowercase=ignored
            """
        #expect(Self.variablesInEnvExample(example) == ["APP_URL", "APP_KEY", "RINGCENTRAL_REDIRECT_URI", "SUITEDASH_TAGS"])

        let page = """
            | variable | default | what it does |
            | --- | --- | --- |
            | `APP_URL` | `http://localhost:8000` | the public address; see `APP_KEY` |
            | `HOST`, `PORT` | | two in one row are not a row each |
            Text naming `DATABASE_URL` is not a row.
            """
        #expect(Self.variablesInConfigurationTable(page) == ["APP_URL"])

        let source = """
            let a = reader.string("APP_URL") ?? "x"
            let b = try reader.int( "PORT" )
            let c = reader.values["SUITEDASH_EXPORT_TAG_SEPARATOR"]
            let d = ProcessInfo.processInfo.environment["DEMO_SEED"]
            let e = Environment.get("LOG_LEVEL")
            let f = Environment.process.DEMO_PORT
            let g = reader.string(name)
            """
        #expect(Set(Self.variablesReadBy(source)) == ["APP_URL", "PORT", "SUITEDASH_EXPORT_TAG_SEPARATOR", "DEMO_SEED", "LOG_LEVEL", "DEMO_PORT"])
    }
}
