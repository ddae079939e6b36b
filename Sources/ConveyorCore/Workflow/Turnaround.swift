/// Where a workflow's wall time went: computing (jobs running, actions such as calibration
/// algorithms), waiting for batch slots, waiting for data
/// (staging and output placement), waiting for people (sign-offs, paused tasks), or none of
/// these (the scheduler between steps). Each moment counts once, for the first of those that was
/// happening (compute, people, data, batch slots), so the parts add up to the wall time; a
/// sign-off that waits while jobs run elsewhere in the workflow did not hold it up.
///
/// ```swift
/// let t = Turnaround(start: request.submittedAt, end: workflow.finishedAt ?? .now, finished: true, tasks: tasks, events: events, attempts: attempts)
/// t.parts.people          // 5400: an hour and a half of the wall time waited only for people
/// t.signoffs.first?.who   // "demo-cdc-expert", t.signoffs.first?.waitedSeconds
/// ```
public struct Turnaround: Codable, Sendable, Equatable {
    /// Seconds of wall time by what it went to; they add up to `wallSeconds`.
    public struct Parts: Codable, Sendable, Equatable {
        public var compute: Double = 0
        public var batchSlots: Double = 0
        public var data: Double = 0
        public var people: Double = 0
        public var other: Double = 0

        public init() {}

        public var total: Double { compute + batchSlots + data + people + other }
    }

    /// One decision people were waited for: a sign-off, or a paused task someone resumed.
    public struct Decision: Codable, Sendable, Equatable {
        public var task: String
        public var kind: String
        /// Who decided (nil while it still waits).
        public var who: String?
        public var ready: Timestamp
        public var decided: Timestamp?
        public var waitedSeconds: Double
    }

    public var start: Timestamp
    public var end: Timestamp
    /// Whether the workflow ended (else `end` is now and the figures are so far).
    public var finished: Bool
    public var wallSeconds: Double
    public var parts: Parts
    public var signoffs: [Decision]

    enum Category: Int, CaseIterable {
        // By priority: a moment goes to the first of these that was happening.
        case compute = 0
        case people = 1
        case data = 2
        case batchSlots = 3
    }

    public init(start: Timestamp, end: Timestamp, finished: Bool, tasks: [WorkflowTask], events: [WorkflowEvent], attempts: [JobAttempt]) {
        self.start = start
        self.end = max(start, end)
        self.finished = finished
        wallSeconds = self.end.seconds(since: start)
        var intervals: [(Category, Timestamp, Timestamp)] = []
        for attempt in attempts {
            let stop = attempt.finishedAt ?? self.end
            if let started = attempt.startedAt {
                intervals.append((.batchSlots, attempt.submittedAt, started))
                intervals.append((.compute, started, stop))
            } else {
                intervals.append((.batchSlots, attempt.submittedAt, stop))
            }
        }
        // Actions (a calibration algorithm, a running update) compute in the scheduler's process.
        for task in tasks where task.definition.kind == .action {
            guard let started = task.startedAt else { continue }
            intervals.append((.compute, started, task.finishedAt ?? self.end))
        }
        for task in tasks where task.definition.kind == .wait {
            guard let started = task.startedAt else { continue }
            switch task.definition.wait {
            case .filesOnDisk?, .rulesOK?: intervals.append((.data, started, task.finishedAt ?? self.end))
            default: break
            }
        }
        // People: the stretches a task spent awaiting a sign-off or paused, from its state changes.
        let names = Dictionary(tasks.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var decisions: [Decision] = []
        var entered: [Int64: (String, Timestamp)] = [:]
        for event in events.sorted(by: { $0.at < $1.at }) {
            guard event.kind == "state", let taskID = event.taskID, let to = event.to else { continue }
            if let (state, since) = entered[taskID] {
                intervals.append((.people, since, event.at))
                entered[taskID] = nil
                let task = names[taskID]
                decisions.append(
                    Decision(
                        task: task?.definition.name ?? "task \(taskID)", kind: state == "awaiting_signoff" ? "sign-off" : "paused",
                        who: state == "awaiting_signoff" ? task?.decidedBy : event.actor, ready: since, decided: event.at,
                        waitedSeconds: event.at.seconds(since: since)))
            }
            if to == "awaiting_signoff" || to == "paused" { entered[taskID] = (to, event.at) }
        }
        for (taskID, (state, since)) in entered {
            intervals.append((.people, since, self.end))
            decisions.append(
                Decision(
                    task: names[taskID]?.definition.name ?? "task \(taskID)", kind: state == "awaiting_signoff" ? "sign-off" : "paused", who: nil,
                    ready: since, decided: nil, waitedSeconds: self.end.seconds(since: since)))
        }
        signoffs = decisions.sorted { ($0.ready, $0.task) < ($1.ready, $1.task) }
        parts = Self.split(start: start, end: self.end, intervals: intervals)
    }

    /// Sweeps the intervals once (sorted boundaries, a count per category), giving each stretch
    /// to the highest-priority category open in it.
    static func split(start: Timestamp, end: Timestamp, intervals: [(Category, Timestamp, Timestamp)]) -> Parts {
        var boundaries: [(Int64, Category, Int)] = []
        let low = start.microsecondsSinceEpoch
        let high = end.microsecondsSinceEpoch
        for (category, from, to) in intervals {
            let a = min(max(from.microsecondsSinceEpoch, low), high)
            let b = min(max(to.microsecondsSinceEpoch, low), high)
            guard b > a else { continue }
            boundaries.append((a, category, 1))
            boundaries.append((b, category, -1))
        }
        boundaries.sort { $0.0 < $1.0 }
        var open = [Int](repeating: 0, count: Category.allCases.count)
        var parts = Parts()
        var cursor = low
        func credit(_ until: Int64) {
            guard until > cursor else { return }
            let seconds = Double(until - cursor) / 1e6
            switch Category.allCases.first(where: { open[$0.rawValue] > 0 }) {
            case .compute?: parts.compute += seconds
            case .people?: parts.people += seconds
            case .data?: parts.data += seconds
            case .batchSlots?: parts.batchSlots += seconds
            case nil: parts.other += seconds
            }
            cursor = until
        }
        for (at, category, delta) in boundaries {
            credit(at)
            open[category.rawValue] += delta
        }
        credit(high)
        return parts
    }
}
