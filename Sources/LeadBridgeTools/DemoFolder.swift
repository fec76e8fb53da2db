import Foundation
import LeadBridge

/// Where `leadbridge demo` keeps its data: a throwaway folder, or one named with `--storage`
/// that the demo made itself. It never opens a folder holding anything else, so a real
/// install's database (and the provider settings in it) can never be mistaken for a demo's.
struct DemoFolder {
    let path: String
    let isThrowaway: Bool

    static let markerName = AppConfig.demoMarkerName
    static let keyName = "demo-app-key"

    struct Refusal: Error, CustomStringConvertible {
        let description: String
    }

    /// The folder to use: `storage` when given (created if missing), else a new temporary one.
    static func open(_ storage: String?) throws -> DemoFolder {
        let files = FileManager.default
        guard let storage else {
            let path = files.temporaryDirectory.appendingPathComponent("leadbridge-demo-\(UUID().uuidString.prefix(8))").path
            try files.createDirectory(atPath: path, withIntermediateDirectories: true)
            try Data().write(to: URL(fileURLWithPath: path + "/" + markerName))
            return DemoFolder(path: path, isThrowaway: true)
        }
        let path = URL(fileURLWithPath: storage).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        if files.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw Refusal(description: "\(path) is a file; give --storage a folder (a new one, or one `leadbridge demo` made before).")
            }
            let contents = try files.contentsOfDirectory(atPath: path)
            if !contents.isEmpty, !contents.contains(markerName) {
                throw Refusal(description: "\(path) holds files `leadbridge demo` did not make (perhaps a real install's database and provider settings). The demo only runs in an empty folder or one it made itself; pick another --storage.")
            }
        } else {
            try files.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        if !files.fileExists(atPath: path + "/" + markerName) {
            try Data().write(to: URL(fileURLWithPath: path + "/" + markerName))
        }
        return DemoFolder(path: path, isThrowaway: false)
    }

    /// The demo's APP_KEY, kept beside its data so a kept folder opens again.
    func appKey() throws -> String {
        let file = path + "/" + Self.keyName
        if let saved = try? String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), !saved.isEmpty {
            return saved
        }
        let key = AppKey.generate().encoded
        // Without the key saved, a kept folder's sealed secrets could not be opened next time.
        guard FileManager.default.createFile(atPath: file, contents: Data(key.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw Refusal(description: "Could not write the demo's key to \(file); is the folder writable?")
        }
        return key
    }

    /// Set once the month of data is complete, so a start after an interrupted one can tell.
    var isSeeded: Bool { FileManager.default.fileExists(atPath: path + "/" + Self.seededName) }
    static let seededName = ".leadbridge-demo-seeded"

    func markSeeded() throws {
        try Data().write(to: URL(fileURLWithPath: path + "/" + Self.seededName))
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
