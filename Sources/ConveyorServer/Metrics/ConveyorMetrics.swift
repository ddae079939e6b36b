import Metrics
import Prometheus

/// The process-wide Prometheus registry behind `/metrics`.
///
/// swift-metrics has one global backend per process, so it is bootstrapped exactly once, the
/// first time anything asks for the registry (a server, or each test process).
enum ConveyorMetrics {
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()
}
