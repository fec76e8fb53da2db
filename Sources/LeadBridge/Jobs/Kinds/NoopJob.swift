/// Does nothing: lets an operator check that workers run (`leadbridge jobs noop`) and is
/// what the queue benchmark drains.
struct NoopJob: JobKind {
    struct Payload: Codable, Sendable { var note: String? = nil }
    static let name = "noop"
    func run(_ payload: Payload, context: JobContext) async throws {}
}
