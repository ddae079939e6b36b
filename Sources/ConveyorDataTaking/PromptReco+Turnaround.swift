import ConveyorCore
import ConveyorStore

extension PromptReco {
    /// Every tracked run's turnaround from the end of data taking to calibrated, released and
    /// certified, with the time shifters held it (postponed), in run order.
    ///
    /// ```swift
    /// let runs = try await PromptReco(store: store).runTurnarounds()
    /// RunTurnaround.median(runs.compactMap(\.toCalibratedSeconds))   // seed 002's figure, per bucket of runs
    /// ```
    public func runTurnarounds() async throws(ConveyorError) -> [RunTurnaround] {
        try await store.read { try await $0.runTurnarounds(at: .now) }
    }
}
