import Metrics
import NIOConcurrencyHelpers
import Prometheus

/// The process's metrics registry. swift-metrics allows one backend per process, so it is
/// set up once, however many apps (tests) the process builds.
enum AppMetrics {
    static let registry = PrometheusCollectorRegistry()
    private static let bootstrapped = NIOLockedValueBox(false)

    static func bootstrap() {
        bootstrapped.withLockedValue { done in
            guard !done else { return }
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            done = true
        }
    }

    /// The current values in Prometheus's text format.
    static func exposition() -> String {
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
