import Foundation

/// `storage/` holds the SQLite database (every enquiry), the development key and exports:
/// only the server's own user may read it. The folder is 0700 and the database files 0600,
/// made so before SQLite first opens them (it gives its -wal and -shm files the database
/// file's permissions), and corrected on older installs.
enum StoragePermissions {
    /// The folder, whatever the database: it holds the development key and exports too.
    static func secureFolder(_ config: AppConfig) throws {
        try FileManager.default.createDirectory(atPath: config.storagePath, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        try? FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: config.storagePath)
    }

    /// The folder and the SQLite database files.
    static func secure(_ config: AppConfig) throws {
        let manager = FileManager.default
        try secureFolder(config)
        if !manager.fileExists(atPath: config.sqlitePath) {
            manager.createFile(atPath: config.sqlitePath, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        secureDatabaseFiles(config)
    }

    static func secureDatabaseFiles(_ config: AppConfig) {
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: config.sqlitePath + suffix) {
            try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: config.sqlitePath + suffix)
        }
    }
}
