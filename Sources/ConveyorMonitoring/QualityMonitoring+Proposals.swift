import ConveyorCore
import ConveyorRuns
import ConveyorStore
import Foundation

extension QualityMonitoring {
    /// Proposals in a state (all when nil), oldest first.
    public func proposals(state: QualityProposal.State? = .open) async throws(ConveyorError) -> [QualityProposal] {
        try await store.read { try await $0.proposals(state: state) }
    }

    /// Confirms an open proposal (needs `expert`): its flag becomes an ordinary quality event,
    /// "proposed by monitoring (…), confirmed by NAME", in the same transaction.
    @discardableResult
    public func confirm(_ id: Int64, comment: String?, by actor: Actor) async throws(ConveyorError) -> QualityProposal {
        try await decide(id, confirm: true, comment: comment, by: actor)
    }

    /// Rejects an open proposal (needs `expert`) with a reason; no flag changes.
    @discardableResult
    public func reject(_ id: Int64, comment: String, by actor: Actor) async throws(ConveyorError) -> QualityProposal {
        guard !comment.trimmingCharacters(in: .whitespaces).isEmpty else { throw .invalidInput("say why the proposal is rejected: a comment is required") }
        return try await decide(id, confirm: false, comment: comment, by: actor)
    }

    private func decide(_ id: Int64, confirm: Bool, comment: String?, by actor: Actor) async throws(ConveyorError) -> QualityProposal {
        try actor.require(.expert, to: confirm ? "confirming a proposed quality flag" : "rejecting a proposed quality flag")
        let comment = comment?.trimmingCharacters(in: .whitespaces)
        return try await store.write { session in
            guard var proposal = try await session.proposal(id: id) else { throw ConveyorError.notFound("no proposal \(id)") }
            let now = Timestamp.now
            guard try await session.decideProposal(id, to: confirm ? .confirmed : .rejected, by: actor.name, comment: comment, at: now) else {
                throw ConveyorError.conflict("proposal \(id) is \(proposal.state.rawValue)\(proposal.decidedBy.map { " (by \($0))" } ?? ""), not open")
            }
            if confirm {
                try await RunRegistry.flag(
                    proposal.run, detector: proposal.detector, to: proposal.flag, reason: proposal.flagReason(confirmedBy: actor.name, comment: comment),
                    by: actor, at: now, in: session)
            }
            try await session.appendAudit(
                AuditRecord(
                    at: now, actor: actor, action: confirm ? "qm.confirm" : "qm.reject", subjectKind: "run", subject: proposal.run.description,
                    detail: "proposal \(id): \(proposal.detector) \(proposal.flag) (\(proposal.reason))\(comment.map { ": \($0)" } ?? "")"))
            proposal.state = confirm ? .confirmed : .rejected
            proposal.decidedAt = now
            proposal.decidedBy = actor.name
            proposal.comment = comment
            return proposal
        }
    }

    /// Sets the detectors of an experiment whose proposals are applied without a person (needs
    /// `manager`); an empty list makes every proposal wait for a person again.
    public func setAutoApply(exp: Int, detectors: [String], by actor: Actor) async throws(ConveyorError) -> [String] {
        try actor.require(.manager, to: "applying monitoring proposals automatically")
        return try await store.write { session in
            let configuration = try await session.experiment(exp) ?? .standard(exp: exp)
            let canonical = try detectors.map { name throws(ConveyorError) in try configuration.canonicalDetector(name) }
            let now = Timestamp.now
            try await session.setAutoApply(exp: exp, detectors: canonical, at: now, by: actor.name)
            try await session.appendAudit(
                AuditRecord(
                    at: now, actor: actor, action: "qm.auto-apply", subjectKind: "experiment", subject: String(exp),
                    detail: canonical.isEmpty ? "every proposal waits for a person" : "applied without a person: \(canonical.joined(separator: ", "))"))
            return canonical
        }
    }

    /// The detectors whose proposals are applied without a person in an experiment.
    public func autoApply(exp: Int) async throws(ConveyorError) -> [String] {
        try await store.read { try await $0.autoApplyDetectors(exp: exp) }
    }
}
