import ConveyorCore
import ConveyorRequests
import ConveyorStore
import ConveyorWorkflow

/// The live feeder's cycles beside the scheduler, under its lease: one process at a time hands
/// files to express, runs the calibration loop and submits PromptReco.
public struct LiveFeederCycles: SchedulerBackgroundWork {
    let feeder: LiveFeeder

    public init(feeder: LiveFeeder) {
        self.feeder = feeder
    }

    public var name: String { "live data taking" }

    public func cycle() async throws(ConveyorError) -> Bool {
        try await feeder.cycle().didWork
    }
}

extension SchedulerPlugins {
    /// Everything production plugs into the scheduler: processing requests (their accountant,
    /// central steps, data management, the PromptReco handshake) and the live feeder.
    ///
    /// ```swift
    /// let service = SchedulerService(store: store, jobRoot: root, plugins: try .production(store: store))
    /// ```
    public static func production(store: Store) throws(ConveyorError) -> SchedulerPlugins {
        var plugins = try SchedulerPlugins.requests(store: store)
        plugins.background.append(LiveFeederCycles(feeder: LiveFeeder(store: store)))
        return plugins
    }
}
