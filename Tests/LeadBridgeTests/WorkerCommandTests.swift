import Foundation
import Testing
import Vapor
@testable import LeadBridge

/// `leadbridge worker`'s number of loops. The usual split is web servers with QUEUE_WORKERS=0
/// (from a shared environment file) and this command doing the work: it must not then run one loop.
@Suite struct WorkerCommandTests {
    @Test func theWorkerRunsWhatItIsToldOrQueueWorkersOrTheDefaultWhenTheWebServersRunNone() {
        #expect(WorkerCommand.loops(requested: 3, configured: 8) == 3)
        #expect(WorkerCommand.loops(requested: nil, configured: 5) == 5)
        #expect(WorkerCommand.loops(requested: nil, configured: 0) == WorkerCommand.defaultLoops)
        #expect(WorkerCommand.defaultLoops > 1)
        #expect(WorkerCommand.loops(requested: 0, configured: 8) == 1, "asked for none: one, or nothing would run")
    }

    /// `leadbridge --help` printed the help after starting the in-process workers, which could
    /// run queued jobs for that moment.
    @Test func onlyServingStartsTheWorkersNotAskingForHelp() async throws {
        for (arguments, serving) in [(["leadbridge"], true), (["leadbridge", "serve", "--port", "8001"], true),
                                     (["leadbridge", "--help"], false), (["leadbridge", "serve", "--help"], false),
                                     (["leadbridge", "-h"], false), (["leadbridge", "migrate"], false)] {
            let app = try await Application.make(Environment(name: "production", arguments: arguments))
            #expect(app.isServing == serving, "\(arguments)")
            try await app.asyncShutdown()
        }
    }
}

/// A folder `leadbridge demo` made is the demo's alone (issue #18): its admin's password was
/// printed in a terminal and its data is made up, so nothing else opens it.
@Suite struct DemoFolderTests {
    @Test func theServerAndItsCommandsRefuseAFolderTheDemoMade() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("leadbridge-demo-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        FileManager.default.createFile(atPath: folder + "/" + AppConfig.demoMarkerName, contents: Data())
        var config = try AppConfig.load(from: ["APP_KEY": testAppKey, "STORAGE_PATH": folder])

        let app = try await Application.make(.testing)
        await #expect(throws: ConfigurationError.self) { try await configure(app, config: config) }
        try await app.asyncShutdown()
        #expect(!FileManager.default.fileExists(atPath: folder + "/database.sqlite"), "refused before the database was opened")

        config.isDemo = true
        let demo = try await Application.make(.testing)
        try await configure(demo, config: config)
        try await demo.asyncShutdown()
    }
}
