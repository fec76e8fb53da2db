import Foundation

/// `storage/` holds the SQLite database (every enquiry), the development key and exports:
/// only the server's own user may read it. The folder is 0700 and the database files 0600,
/// made so before SQLite first opens them (it gives its -wal and -shm files the database
/// file's permissions), and corrected on older installs.
enum StoragePermissions {
    static func secure(_ config: AppConfig) throws {
        let manager = FileManager.default
        try manager.createDirectory(atPath: config.storagePath, withIntermediateDirectories: true,
                                    attributes: [.posixPermissions: 0o700])
        try? manager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: config.storagePath)
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
