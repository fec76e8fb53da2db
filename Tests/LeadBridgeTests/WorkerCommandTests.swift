import Testing
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
}
