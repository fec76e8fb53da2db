import LeadBridge
import LeadBridgeTools
import Logging
import Vapor

/// `leadbridge [command]`: `serve` (the default), `migrate`, `key generate`, `user create`, `sandbox`…
@main
enum Entrypoint {
    static func main() async throws {
        var env = try Environment.detect()
        try LoggingSystem.bootstrap(from: &env)
        let app = try await Application.make(env)
        do {
            LeadBridgeTools.register(on: app)
            try await configure(app)
            try await app.execute()
        } catch {
            app.logger.critical("\(error)")
            try? await app.asyncShutdown()
            exit(1)
        }
        try await app.asyncShutdown()
    }
}
