import ConveyorCore
import ConveyorStore
import Foundation

/// What waits for people, gathered from where it waits: sign-offs and paused tasks of running
/// workflows, requests whose workflow failed, runs a shifter postponed, runs whose PromptReco is
/// done and that wait for their quality flag. Oldest first, so the longest wait is on top.
///
/// ```swift
/// let inbox = Inbox(store: store)
/// let mine = try await inbox.items(for: Actor(name: "cdc-expert", role: .expert))
/// mine.first?.subject   // "sign off signoff:cdc of request prompt-b16 (workflow 7)"
/// ```
public struct Inbox: Sendable {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    /// Everything that waits for someone.
    public func all() async throws(ConveyorError) -> [InboxItem] {
        try await store.read { session in
            var items: [InboxItem] = []
            for waiting in try await session.waitingTasks() {
                let workflow = Self.describe(workflow: waiting.workflowName, id: waiting.workflowID)
                let reference = "\(waiting.workflowID)/\(waiting.task)"
                if waiting.state == .awaiting_signoff {
                    let signers = waiting.definition.signers ?? []
                    items.append(
                        InboxItem(
                            kind: .signoff, subject: "sign off \(waiting.task) of \(workflow)",
                            action: signers.isEmpty
                                ? "approve or reject (role \(waiting.definition.role ?? .expert))" : "approve or reject (\(signers.joined(separator: ", ")))",
                            since: waiting.since, people: signers, role: waiting.definition.role ?? .expert, link: "/workflows/\(waiting.workflowID)",
                            command: "conveyor task signoff \(reference) --approve --comment \"…\""))
                } else {
                    items.append(
                        InboxItem(
                            kind: .paused_task, subject: "\(waiting.task) of \(workflow) is paused after failing",
                            action: "read its log, then resume, retry or cancel it", since: waiting.since, role: .expert,
                            link:
                                "/workflows/\(waiting.workflowID)/tasks/\(waiting.task.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? waiting.task)",
                            command: "conveyor task log \(reference)"))
                }
            }
            for failed in try await session.failedRequests() {
                items.append(
                    InboxItem(
                        kind: .failed_request, subject: "request \(failed.name) failed (workflow \(failed.workflowID))",
                        action: "see why, fix, and resume it", since: failed.at, role: .manager, link: "/requests/\(failed.name)",
                        command: "conveyor request resume \(failed.name)"))
            }
            for postponed in try await session.postponedPromptRuns() {
                items.append(
                    InboxItem(
                        kind: .postponed_run, subject: "run \(postponed.run) is postponed: \(postponed.reason)",
                        action: "let it go on, or abandon it", since: postponed.at, role: .expert, link: "/data-taking/runs/\(postponed.run)",
                        command: "conveyor prompt go-on \(postponed.run) --reason \"…\""))
            }
            for stream in try await session.runStreamsToCertify() {
                items.append(
                    InboxItem(
                        kind: .run_to_certify, subject: "run \(stream.run) (\(stream.stream)): PromptReco done, quality not yet certified",
                        action: "look at its PromptReco and flag it", since: stream.since, role: .expert,
                        link: "/runs/\(stream.run.exp)/\(stream.run.run)", command: "conveyor runs flag \(stream.run) --set GOOD --reason \"…\""))
            }
            for problem in try await session.openProblemReports() {
                items.append(
                    InboxItem(
                        kind: .problem_report,
                        subject:
                            "problem on \(problem.subject.kind.rawValue) \(problem.subject.name) reported by \(problem.author): \(problem.text.prefix(120))",
                        action: "look, act (flag the run, mark the file), and resolve the report", since: problem.at, role: .expert,
                        link: problem.subject.link, command: "conveyor note resolve \(problem.id) --text \"…\""))
            }
            for proposal in try await session.proposals(state: .open) {
                items.append(
                    InboxItem(
                        kind: .quality_proposal,
                        subject:
                            "monitoring proposes run \(proposal.run) \(proposal.detector) \(proposal.flag) (\(proposal.processing)): \(proposal.reason.prefix(160))",
                        action: "look at its histograms, then confirm or reject", since: proposal.createdAt, role: .expert,
                        link: "/runs/\(proposal.run.exp)/\(proposal.run.run)/monitoring?processing=\(proposal.processing)",
                        command: "conveyor qm confirm \(proposal.id)"))
            }
            return items.sorted { ($0.since, $0.subject) < ($1.since, $1.subject) }
        }
    }

    /// What waits for `actor` (see ``InboxItem/isFor(_:)``), oldest first.
    public func items(for actor: Actor) async throws(ConveyorError) -> [InboxItem] {
        try await all().filter { $0.isFor(actor) }
    }

    /// `request prompt-b16 (workflow 7)` for a request's workflow, else `workflow 7 (NAME)`.
    static func describe(workflow name: String, id: Int64) -> String {
        name.hasPrefix("request ") ? "\(name) (workflow \(id))" : "workflow \(id) (\(name))"
    }
}
