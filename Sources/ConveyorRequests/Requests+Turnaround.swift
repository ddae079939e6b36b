import ConveyorCore
import ConveyorStore

extension Requests {
    /// A request's turnaround: its wall time from submission to its workflow's end (or now), split
    /// into compute, batch slots, data and people, with every sign-off's wait.
    public struct RequestTurnaround: Codable, Sendable, Equatable {
        public var request: String
        public var campaign: String
        public var submittedBy: String
        public var turnaround: Turnaround
    }

    /// One request's turnaround.
    ///
    /// ```swift
    /// let t = try await requests.turnaround(of: "prompt-b16")
    /// t.turnaround.parts.people / t.turnaround.wallSeconds   // the share spent waiting for people
    /// ```
    public func turnaround(of name: String) async throws(ConveyorError) -> RequestTurnaround {
        guard let record = try await store.read({ try await $0.request(named: name) }) else { throw .notFound("no request named '\(name)'") }
        return try await turnaround(record, at: .now)
    }

    /// The turnaround of every request (of a campaign, submitted since a time), oldest first.
    public func turnarounds(campaign: String? = nil, since: Timestamp? = nil) async throws(ConveyorError) -> [RequestTurnaround] {
        let now = Timestamp.now
        var out: [RequestTurnaround] = []
        for record in try await store.read({ try await $0.requests() })
        where (campaign == nil || record.campaign == campaign) && (since.map { record.submittedAt >= $0 } ?? true) && !record.cancelled {
            out.append(try await turnaround(record, at: now))
        }
        return out.sorted { ($0.turnaround.start, $0.request) < ($1.turnaround.start, $1.request) }
    }

    func turnaround(_ record: RequestRecord, at now: Timestamp) async throws(ConveyorError) -> RequestTurnaround {
        let facts = try await store.read { session -> (WorkflowRun?, [WorkflowTask], [WorkflowEvent], [JobAttempt]) in
            guard let id = record.workflowID, let workflow = try await session.workflow(id) else { return (nil, [], [], []) }
            let tasks = try await session.tasks(ofWorkflows: [id])
            return (workflow, tasks, try await session.workflowEvents(id), try await session.attempts(ofTasks: tasks.map(\.id)))
        }
        let (workflow, tasks, events, attempts) = facts
        let end = workflow?.finishedAt ?? now
        return RequestTurnaround(
            request: record.name, campaign: record.campaign, submittedBy: record.submittedBy,
            turnaround: Turnaround(
                start: record.submittedAt, end: end, finished: workflow?.finishedAt != nil, tasks: tasks, events: events, attempts: attempts))
    }
}
