import ConveyorCore
import ConveyorStore
import ConveyorWorkflow

extension MonteCarloProduction {
    /// When a submitted request will be done at the share of slots it holds now: the CPU per
    /// event measured on its finished jobs, times the events left, over the jobs running now.
    public struct Estimate: Codable, Sendable, Equatable {
        public let eventsLeft: Int64
        /// Measured once jobs finished; nil before.
        public let cpuSecondsPerEvent: Double?
        /// Its jobs submitted or running now: the share it holds.
        public let runningJobs: Int
        /// The slots of the pools its production runs in.
        public let slots: Int
        public let secondsLeft: Double?
        /// How the figure was made, in one line.
        public let basis: String
    }

    func estimate(_ request: MonteCarloRequest) async throws(ConveyorError) -> Estimate? {
        guard request.state == .submitted, let production = request.production else { return nil }
        let left = max(request.events - request.eventsDone, 0)
        let perEvent = request.eventsDone > 0 && request.cpuSeconds > 0 ? request.cpuSeconds / Double(request.eventsDone) : nil
        var running = 0, slots = 0
        let record = try await store.read { try await $0.request(named: production) }
        if let workflowID = record?.workflowID {
            let workflows = Workflows(store: store)
            let tasks = try await workflows.show(workflowID).tasks.filter { $0.definition.kind == .job }
            for task in tasks { running += (task.elementCounts["running"] ?? 0) + (task.elementCounts["submitted"] ?? 0) }
            let pools = Set(tasks.compactMap(\.definition.pool))
            slots = try await workflows.pools().filter { pools.contains($0.name) }.reduce(0) { $0 + $1.slots }
        }
        guard let perEvent else {
            return Estimate(
                eventsLeft: left, cpuSecondsPerEvent: nil, runningJobs: running, slots: slots, secondsLeft: nil,
                basis: "no job has finished yet: the CPU per event is not measured")
        }
        guard running > 0 else {
            return Estimate(
                eventsLeft: left, cpuSecondsPerEvent: perEvent, runningJobs: 0, slots: slots, secondsLeft: nil,
                basis: "no job of it runs now (the pool's slots go to higher priorities): no end at the current share")
        }
        let seconds = Double(left) * perEvent / Double(running)
        return Estimate(
            eventsLeft: left, cpuSecondsPerEvent: perEvent, runningJobs: running, slots: slots, secondsLeft: seconds,
            basis:
                "\(left) events × \(String(format: "%.4f", perEvent)) s CPU per event (measured on \(request.jobsDone) jobs) over \(running) of \(slots) slots")
    }
}
