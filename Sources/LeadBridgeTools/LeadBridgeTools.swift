import Vapor

/// What the `leadbridge` executable links beside the server: commands built on the provider
/// sandboxes, kept out of the `LeadBridge` library so the server's own code never contains fakes.
public enum LeadBridgeTools {
    /// Registers the tools' commands; call before `configure`, which then leaves them alone.
    public static func register(on app: Application) {
        app.asyncCommands.use(SandboxCommand(), as: "sandbox")
        app.asyncCommands.use(DemoCommand(), as: "demo")
    }
}
