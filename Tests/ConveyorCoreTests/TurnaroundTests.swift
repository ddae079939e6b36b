import ConveyorCore
import Foundation
import Testing

/// Splitting a workflow's wall time: each moment once, by priority; sign-offs with who and how long.
@Suite("Turnaround")
struct TurnaroundTests {
    static let t0 = Timestamp(microsecondsSinceEpoch: 1_796_634_000_000_000)
    static func at(_ seconds: Double) -> Timestamp { t0.adding(seconds: seconds) }

    static func task(
        _ id: Int64, _ name: String, _ kind: TaskKind, wait: WaitCondition? = nil, started: Double? = nil, finished: Double? = nil, decidedBy: String? = nil
    )
        -> WorkflowTask
    {
        var definition = TaskDefinition(name: name, kind: kind)
        definition.wait = wait
        return WorkflowTask(
            id: id, workflowID: 1, definition: definition, state: .succeeded, tries: 0, retryAt: nil, upstream: [], decidedBy: decidedBy, decisionComment: nil,
            startedAt: started.map(at), finishedAt: finished.map(at), elementCounts: [:])
    }

    static func state(_ task: Int64, _ seconds: Double, _ to: String, by actor: String = "scheduler") -> WorkflowEvent {
        WorkflowEvent(workflowID: 1, taskID: task, at: at(seconds), actor: actor, kind: "state", from: "x", to: to)
    }

    static func attempt(_ task: Int64, submitted: Double, started: Double?, finished: Double?) -> JobAttempt {
        JobAttempt(
            submission: "s", arrayIndex: 0, taskID: task, element: 0, attempt: 1, state: .succeeded, submittedAt: at(submitted), startedAt: started.map(at),
            finishedAt: finished.map(at), directory: "/tmp")
    }

    @Test func thePartsAddUpAndEachMomentCountsOnce() {
        // 0–10 waits for data; 10–20 queued; 20–50 runs; 50–80 awaits a sign-off (jobs of another branch run 60–70); 80–100 nothing.
        let tasks = [
            Self.task(1, "stage", .wait, wait: .filesOnDisk(site: "KEKCC", lfns: ["/a"]), started: 0, finished: 10),
            Self.task(2, "reco", .job, started: 10, finished: 50),
            Self.task(3, "signoff:cdc", .signoff, started: 50, finished: 80, decidedBy: "cdc-expert"),
            Self.task(4, "dqm", .job, started: 60, finished: 70),
        ]
        let events = [Self.state(3, 50, "awaiting_signoff"), Self.state(3, 80, "succeeded", by: "cdc-expert")]
        let attempts = [Self.attempt(2, submitted: 10, started: 20, finished: 50), Self.attempt(4, submitted: 60, started: 60, finished: 70)]
        let t = Turnaround(start: Self.at(0), end: Self.at(100), finished: true, tasks: tasks, events: events, attempts: attempts)
        #expect(t.wallSeconds == 100)
        #expect(t.parts.data == 10 && t.parts.batchSlots == 10 && t.parts.compute == 40 && t.parts.people == 20 && t.parts.other == 20, "\(t.parts)")
        #expect(abs(t.parts.total - t.wallSeconds) < 1e-9)
        let signoff = t.signoffs.first
        #expect(t.signoffs.count == 1 && signoff?.task == "signoff:cdc" && signoff?.who == "cdc-expert" && signoff?.waitedSeconds == 30)
        #expect(signoff?.ready == Self.at(50) && signoff?.decided == Self.at(80) && signoff?.kind == "sign-off")
    }

    @Test func anOpenWaitCountsUntilNowAndNamesNobody() {
        let tasks = [Self.task(1, "calibrate:ecl", .job, started: 0)]
        let events = [Self.state(1, 5, "paused")]
        let t = Turnaround(start: Self.at(0), end: Self.at(65), finished: false, tasks: tasks, events: events, attempts: [])
        #expect(t.parts.people == 60 && t.parts.other == 5 && !t.finished)
        #expect(t.signoffs.first?.who == nil && t.signoffs.first?.kind == "paused" && t.signoffs.first?.waitedSeconds == 60)
        let empty = Turnaround(start: Self.at(10), end: Self.at(5), finished: true, tasks: [], events: [], attempts: [])
        #expect(empty.wallSeconds == 0 && empty.parts.total == 0, "an end before the start is no time, not negative time")
    }
}
