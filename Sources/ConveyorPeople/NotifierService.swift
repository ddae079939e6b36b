import ConveyorCore
import ConveyorStore
import Logging
import ServiceLifecycle

/// Runs a ``Notifier`` every `settings.everySeconds` beside the server and the scheduler, in a
/// task of its own: a slow or unreachable mail server delays only the notifications, never the
/// scheduler or a page.
///
/// ```swift
/// let services: [any Service] = [app, scheduler, NotifierService(notifier: Notifier(store: store, settings: settings), logger: logger)]
/// ```
public struct NotifierService: Service {
    public let notifier: Notifier
    let logger: Logger

    public init(notifier: Notifier, logger: Logger) {
        self.notifier = notifier
        self.logger = logger
    }

    public func run() async throws {
        let every = Duration.milliseconds(Int(notifier.settings.everySeconds * 1000))
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do throws(ConveyorError) {
                    let report = try await notifier.cycle()
                    if report.queued + report.sent + report.failed > 0 {
                        logger.info(
                            "notifications: \(report.newEvents) new event(s), \(report.queued) queued, \(report.sent) sent, \(report.retried) to retry, \(report.failed) given up"
                        )
                    }
                } catch {
                    logger.warning("notifications: \(error.message)")
                }
                try? await Task.sleep(for: every)
            }
        }
    }
}
