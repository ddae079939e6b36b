import ConveyorCore
import Foundation
import SQLKit

extension StoreSession {
    /// Records that monitoring finds `detector` of a run bad: a new open proposal, the reason of
    /// an open one brought up to date, or a withdrawn one opened again. A decided proposal stays
    /// as decided. - Returns: the proposal, and whether it is newly open.
    public func proposeFlag(
        _ run: ExpRun, processing: String, detector: String, reason: String, at time: Timestamp
    ) async throws -> (
        proposal: QualityProposal, opened: Bool
    ) {
        if var existing = try await proposals(run: run, processing: processing).first(where: { $0.detector == detector }) {
            switch existing.state {
            case .open:
                try await sql.update("qm_proposals").set("reason", to: reason).where("id", .equal, existing.id).run()
                existing.reason = reason
                return (existing, false)
            case .withdrawn:
                try await sql.update("qm_proposals").set("reason", to: reason).set("state", to: QualityProposal.State.open.rawValue)
                    .set("created_at", to: time.microsecondsSinceEpoch).set("decided_at", to: SQLLiteral.null).set("decided_by", to: SQLLiteral.null)
                    .where("id", .equal, existing.id).where("state", .equal, QualityProposal.State.withdrawn.rawValue).run()
                existing.reason = reason
                existing.state = .open
                existing.createdAt = time
                return (existing, true)
            case .confirmed, .rejected, .applied:
                return (existing, false)
            }
        }
        let proposal = QualityProposal(run: run, processing: processing, detector: detector, reason: reason, createdAt: time)
        let row = try await sql.insert(into: "qm_proposals")
            .columns("exp", "run", "processing", "detector", "flag", "reason", "state", "created_at")
            .values(
                SQLBind(run.exp), SQLBind(run.run), SQLBind(processing), SQLBind(detector), SQLBind(proposal.flag.rawValue), SQLBind(reason),
                SQLBind(proposal.state.rawValue), SQLBind(time.microsecondsSinceEpoch)
            )
            .ignoringConflicts(with: ["exp", "run", "processing", "detector"]).returning("id").first()
        guard let row else {
            // Another writer proposed it between the look and the insert: theirs stands.
            guard let theirs = try await proposals(run: run, processing: processing).first(where: { $0.detector == detector }) else {
                throw ConveyorError.storeFailure("the proposal for \(detector) of run \(run) vanished")
            }
            return (theirs, false)
        }
        var stored = proposal
        stored.id = try row.decode(column: "id", as: Int64.self)
        return (stored, true)
    }

    /// Withdraws the open proposals of a run and processing whose detector no longer fails.
    /// - Returns: how many.
    @discardableResult
    public func withdrawProposals(_ run: ExpRun, processing: String, except failing: Set<String>, at time: Timestamp) async throws -> Int {
        var withdrawn = 0
        for proposal in try await proposals(run: run, processing: processing) where proposal.state == .open && !failing.contains(proposal.detector) {
            if try await decideProposal(proposal.id, to: .withdrawn, by: "monitoring", comment: "the newest monitoring no longer fails", at: time) {
                withdrawn += 1
            }
        }
        return withdrawn
    }

    /// Decides an open proposal. - Returns: false when it was not open (decided by someone else first).
    public func decideProposal(_ id: Int64, to state: QualityProposal.State, by actor: String, comment: String?, at time: Timestamp) async throws -> Bool {
        let rows = try await sql.update("qm_proposals").set("state", to: state.rawValue).set("decided_at", to: time.microsecondsSinceEpoch)
            .set("decided_by", to: actor).set("comment", to: comment).where("id", .equal, id).where("state", .equal, QualityProposal.State.open.rawValue)
            .returning("id").all()
        return !rows.isEmpty
    }

    public func proposal(id: Int64) async throws -> QualityProposal? {
        try await sql.select().column("*").from("qm_proposals").where("id", .equal, id).first().map(Self.decodeProposal)
    }

    /// Proposals of one run (all processings, or one), in detector order.
    public func proposals(run: ExpRun, processing: String? = nil) async throws -> [QualityProposal] {
        var select = sql.select().column("*").from("qm_proposals").where("exp", .equal, run.exp).where("run", .equal, run.run)
        if let processing { select = select.where("processing", .equal, processing) }
        return try await select.orderBy("processing").orderBy("detector").all().map(Self.decodeProposal)
    }

    /// Proposals in a state (all when nil), oldest first.
    public func proposals(state: QualityProposal.State?, limit: Int = 1_000) async throws -> [QualityProposal] {
        var select = sql.select().column("*").from("qm_proposals")
        if let state { select = select.where("state", .equal, state.rawValue) }
        return try await select.orderBy("created_at").orderBy("id").limit(limit).all().map(Self.decodeProposal)
    }

    /// Sets the detectors whose proposals are applied without a person in an experiment (none: all wait for a person).
    public func setAutoApply(exp: Int, detectors: [String], at time: Timestamp, by actor: String) async throws {
        try await sql.insert(into: "qm_auto_apply").columns("exp", "detectors", "at", "actor")
            .values(SQLBind(exp), SQLBind(detectors.joined(separator: ",")), SQLBind(time.microsecondsSinceEpoch), SQLBind(actor)).run()
    }

    /// The detectors whose proposals are applied at once in an experiment.
    public func autoApplyDetectors(exp: Int) async throws -> [String] {
        let row = try await sql.select().column("detectors").from("qm_auto_apply").where("exp", .equal, exp).orderBy("id", .descending).limit(1).first()
        return try row.map { try $0.decode(column: "detectors", as: String.self).split(separator: ",").map(String.init) } ?? []
    }

    private static func decodeProposal(_ row: any SQLRow) throws -> QualityProposal {
        QualityProposal(
            id: try row.decode(column: "id", as: Int64.self),
            run: ExpRun(exp: try row.decode(column: "exp", as: Int.self), run: try row.decode(column: "run", as: Int.self)),
            processing: try row.decode(column: "processing", as: String.self), detector: try row.decode(column: "detector", as: String.self),
            flag: try row.decodeValue(QualityFlag.self, column: "flag", in: "qm_proposals"), reason: try row.decode(column: "reason", as: String.self),
            state: try row.decodeValue(QualityProposal.State.self, column: "state", in: "qm_proposals"),
            createdAt: Timestamp(microsecondsSinceEpoch: try row.decode(column: "created_at", as: Int64.self)),
            decidedAt: try row.decode(column: "decided_at", as: Int64?.self).map(Timestamp.init(microsecondsSinceEpoch:)),
            decidedBy: try row.decode(column: "decided_by", as: String?.self), comment: try row.decode(column: "comment", as: String?.self))
    }
}
