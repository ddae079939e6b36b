import ConveyorCore
import Foundation
import SQLKit

extension StoreSession {
    // MARK: Campaigns

    /// Stores a new campaign. - Returns: its id.
    @discardableResult
    public func insertMonteCarloCampaign(_ campaign: MonteCarloCampaign) async throws -> Int64 {
        let row = try await sql.insert(into: "mc_campaigns")
            .columns(
                "name", "release", "global_tags", "program", "sites", "background_tag", "exp", "energy", "base", "status", "description", "created_at",
                "created_by"
            )
            .values(
                SQLBind(campaign.name), SQLBind(campaign.release), SQLBind(try Self.json(campaign.globalTags)), SQLBind(campaign.program),
                SQLBind(try Self.json(campaign.sites)), SQLBind(campaign.backgroundTag),
                SQLBind(campaign.exp), SQLBind(campaign.energy), SQLBind(campaign.base), SQLBind(campaign.status.rawValue), SQLBind(campaign.description),
                SQLBind(campaign.createdAt.microsecondsSinceEpoch), SQLBind(campaign.createdBy)
            ).returning("id").first()
        guard let row else { throw ConveyorError.storeFailure("the campaign was not stored") }
        return try row.decode(column: "id", as: Int64.self)
    }

    public func setMonteCarloCampaignStatus(_ name: String, to status: MonteCarloCampaign.Status) async throws {
        try await sql.update("mc_campaigns").set("status", to: SQLBind(status.rawValue)).where("name", .equal, name).run()
    }

    /// A campaign with its id.
    public func monteCarloCampaign(named name: String) async throws -> (id: Int64, campaign: MonteCarloCampaign)? {
        guard let row = try await sql.select().column("*").from("mc_campaigns").where("name", .equal, name).first() else { return nil }
        return (try row.decode(column: "id", as: Int64.self), try Self.decodeCampaign(row))
    }

    /// Every campaign with its id, newest first.
    public func monteCarloCampaigns() async throws -> [(id: Int64, campaign: MonteCarloCampaign)] {
        try await sql.select().column("*").from("mc_campaigns").orderBy("id", .descending).all().map { row in
            (try row.decode(column: "id", as: Int64.self), try Self.decodeCampaign(row))
        }
    }

    static func decodeCampaign(_ row: any SQLRow) throws -> MonteCarloCampaign {
        do {
            return try MonteCarloCampaign(
                name: try row.decode(column: "name", as: String.self), release: try row.decode(column: "release", as: String.self),
                globalTags: try Self.decodeJSON([String].self, try row.decode(column: "global_tags", as: String.self), what: "mc_campaigns.global_tags"),
                program: try row.decode(column: "program", as: String.self),
                sites: try Self.decodeJSON([ProcessingRequest.Site].self, try row.decode(column: "sites", as: String.self), what: "mc_campaigns.sites"),
                backgroundTag: try row.decode(column: "background_tag", as: String.self), exp: try row.decode(column: "exp", as: Int.self),
                energy: try row.decode(column: "energy", as: String.self), base: try row.decode(column: "base", as: String.self),
                status: try row.decodeValue(MonteCarloCampaign.Status.self, column: "status", in: "mc_campaigns"),
                description: try row.decode(column: "description", as: String.self),
                createdAt: Timestamp(microsecondsSinceEpoch: try row.decode(column: "created_at", as: Int64.self)),
                createdBy: try row.decode(column: "created_by", as: String.self))
        } catch let error as ConveyorError {
            throw ConveyorError.storeFailure("mc_campaigns holds a campaign that is not valid: \(error.message)")
        }
    }

    // MARK: Requests

    /// Stores a new request in a campaign, with its first history entry. - Returns: its id.
    public func insertMonteCarloRequest(_ request: MonteCarloRequest, campaign: Int64, by actor: String) async throws -> Int64 {
        let row = try await sql.insert(into: "mc_requests")
            .columns(
                "campaign_id", "physics_group", "liaison", "event_type", "events", "background", "priority", "runs", "events_per_job", "comment", "state",
                "sample_key", "production", "created_at", "updated_at", "jobs", "jobs_done", "events_done", "cpu_seconds"
            )
            .values(
                SQLBind(campaign), SQLBind(request.group), SQLBind(request.liaison), SQLBind(request.eventType), SQLBind(request.events),
                SQLBind(request.background.rawValue), SQLBind(request.priority.rawValue), SQLBind(request.runs), SQLBind(request.eventsPerJob),
                SQLBind(request.comment), SQLBind(request.state.rawValue), SQLBind(request.sampleKey), SQLBind(request.production),
                SQLBind(request.createdAt.microsecondsSinceEpoch), SQLBind(request.updatedAt.microsecondsSinceEpoch), SQLBind(request.jobs),
                SQLBind(request.jobsDone), SQLBind(request.eventsDone), SQLBind(request.cpuSeconds)
            ).returning("id").first()
        guard let row else { throw ConveyorError.storeFailure("the MC request was not stored") }
        let id = try row.decode(column: "id", as: Int64.self)
        try await appendMonteCarloChange(
            MonteCarloRequestChange(from: nil, to: request.state, at: request.createdAt, by: actor, reason: request.comment), request: id)
        return id
    }

    /// The columns of a request, with its campaign's name.
    private var requestSelect: SQLSelectBuilder {
        sql.select().column(SQLColumn(SQLLiteral.all, table: SQLIdentifier("r"))).column(SQLColumn("name", table: "c"))
            .from(SQLAlias(SQLIdentifier("mc_requests"), as: SQLIdentifier("r")))
            .join(
                SQLAlias(SQLIdentifier("mc_campaigns"), as: SQLIdentifier("c")), on: SQLColumn("id", table: "c"), .equal, SQLColumn("campaign_id", table: "r"))
    }

    public func monteCarloRequest(id: Int64) async throws -> MonteCarloRequest? {
        try await requestSelect.where(SQLColumn("id", table: "r"), .equal, SQLBind(id)).first().map(Self.decodeRequest)
    }

    /// The request a production (processing request) makes.
    public func monteCarloRequest(production: String) async throws -> MonteCarloRequest? {
        try await requestSelect.where(SQLColumn("production", table: "r"), .equal, SQLBind(production)).first().map(Self.decodeRequest)
    }

    /// A campaign's requests by physics group, then in the order they were filed.
    public func monteCarloRequests(campaign: Int64) async throws -> [MonteCarloRequest] {
        try await requestSelect.where(SQLColumn("campaign_id", table: "r"), .equal, SQLBind(campaign))
            .orderBy(SQLColumn("physics_group", table: "r")).orderBy(SQLColumn("id", table: "r")).all().map(Self.decodeRequest)
    }

    /// A campaign's requests counted by state, with their events and jobs: one row per state, not per request.
    public func monteCarloStateTotals(
        campaign: Int64
    ) async throws -> [(state: MonteCarloRequestState, requests: Int, events: Int64, eventsDone: Int64, jobs: Int, jobsDone: Int)] {
        try await sql.raw(
            """
            SELECT state, COUNT(*) AS n, CAST(SUM(events) AS BIGINT) AS events, CAST(SUM(events_done) AS BIGINT) AS events_done,
              CAST(SUM(jobs) AS BIGINT) AS jobs, CAST(SUM(jobs_done) AS BIGINT) AS jobs_done
            FROM mc_requests WHERE campaign_id = \(bind: campaign) GROUP BY state
            """
        ).all().map { row in
            (
                try row.decodeValue(MonteCarloRequestState.self, column: "state", in: "mc_requests"), try row.decode(column: "n", as: Int.self),
                try row.decode(column: "events", as: Int64.self), try row.decode(column: "events_done", as: Int64.self),
                try row.decode(column: "jobs", as: Int.self), try row.decode(column: "jobs_done", as: Int.self)
            )
        }
    }

    /// A live request for the same sample, with its state, if one exists.
    public func liveMonteCarloRequest(sampleKey: String) async throws -> (id: Int64, state: MonteCarloRequestState)? {
        for row in try await sql.select().column("id").column("state").from("mc_requests").where("sample_key", .equal, sampleKey).all() {
            let state = try row.decodeValue(MonteCarloRequestState.self, column: "state", in: "mc_requests")
            if state.isLive { return (try row.decode(column: "id", as: Int64.self), state) }
        }
        return nil
    }

    /// Saves what changes by decisions and submission: state, production, jobs, priority.
    public func updateMonteCarloRequest(_ request: MonteCarloRequest) async throws {
        try await sql.update("mc_requests").set("state", to: SQLBind(request.state.rawValue)).set("production", to: SQLBind(request.production))
            .set("jobs", to: SQLBind(request.jobs)).set("priority", to: SQLBind(request.priority.rawValue))
            .set("updated_at", to: SQLBind(request.updatedAt.microsecondsSinceEpoch)).where("id", .equal, request.id).run()
    }

    /// Counts jobs the accountant registered for a production, in its transaction.
    /// - Returns: the request after the count, or nil when the production is not MC.
    public func addMonteCarloProgress(production: String, jobs: Int, events: Int64, cpuSeconds: Double, at time: Timestamp) async throws -> MonteCarloRequest? {
        try await sql.update("mc_requests")
            .set(SQLIdentifier("jobs_done"), to: SQLBinaryExpression(SQLIdentifier("jobs_done"), .add, SQLBind(jobs)))
            .set(SQLIdentifier("events_done"), to: SQLBinaryExpression(SQLIdentifier("events_done"), .add, SQLBind(events)))
            .set(SQLIdentifier("cpu_seconds"), to: SQLBinaryExpression(SQLIdentifier("cpu_seconds"), .add, SQLBind(cpuSeconds)))
            .set("updated_at", to: SQLBind(time.microsecondsSinceEpoch))
            .where("production", .equal, production).run()
        return try await monteCarloRequest(production: production)
    }

    public func appendMonteCarloChange(_ change: MonteCarloRequestChange, request: Int64) async throws {
        try await sql.insert(into: "mc_request_history").columns("request_id", "from_state", "to_state", "at", "actor", "reason")
            .values(
                SQLBind(request), SQLBind(change.from?.rawValue), SQLBind(change.to.rawValue), SQLBind(change.at.microsecondsSinceEpoch), SQLBind(change.by),
                SQLBind(change.reason)
            ).run()
    }

    /// A request's history, oldest first.
    public func monteCarloHistory(request: Int64) async throws -> [MonteCarloRequestChange] {
        try await sql.select().column("*").from("mc_request_history").where("request_id", .equal, request).orderBy("id").all().map { row in
            let from = try row.decode(column: "from_state", as: String?.self)
            return MonteCarloRequestChange(
                from: try from.map { text in
                    guard let state = MonteCarloRequestState(rawValue: text) else {
                        throw ConveyorError.storeFailure("mc_request_history holds a state '\(text)'")
                    }
                    return state
                }, to: try row.decodeValue(MonteCarloRequestState.self, column: "to_state", in: "mc_request_history"),
                at: Timestamp(microsecondsSinceEpoch: try row.decode(column: "at", as: Int64.self)), by: try row.decode(column: "actor", as: String.self),
                reason: try row.decode(column: "reason", as: String.self))
        }
    }

    static func decodeRequest(_ row: any SQLRow) throws -> MonteCarloRequest {
        let priority = try row.decode(column: "priority", as: Int.self)
        guard let level = MonteCarloRequest.Priority(rawValue: priority) else { throw ConveyorError.storeFailure("mc_requests holds a priority \(priority)") }
        do {
            return try MonteCarloRequest(
                id: try row.decode(column: "id", as: Int64.self), campaign: try row.decode(column: "name", as: String.self),
                group: try row.decode(column: "physics_group", as: String.self), liaison: try row.decode(column: "liaison", as: String.self),
                eventType: try row.decode(column: "event_type", as: String.self), events: try row.decode(column: "events", as: Int64.self),
                background: try row.decodeValue(MonteCarloRequest.Background.self, column: "background", in: "mc_requests"), priority: level,
                runs: try row.decode(column: "runs", as: String?.self), eventsPerJob: try row.decode(column: "events_per_job", as: Int.self),
                comment: try row.decode(column: "comment", as: String.self),
                state: try row.decodeValue(MonteCarloRequestState.self, column: "state", in: "mc_requests"),
                production: try row.decode(column: "production", as: String?.self),
                createdAt: Timestamp(microsecondsSinceEpoch: try row.decode(column: "created_at", as: Int64.self)),
                updatedAt: Timestamp(microsecondsSinceEpoch: try row.decode(column: "updated_at", as: Int64.self)),
                jobs: try row.decode(column: "jobs", as: Int.self), jobsDone: try row.decode(column: "jobs_done", as: Int.self),
                eventsDone: try row.decode(column: "events_done", as: Int64.self), cpuSeconds: try row.decode(column: "cpu_seconds", as: Double.self))
        } catch let error as ConveyorError {
            throw ConveyorError.storeFailure("mc_requests holds a request that is not valid: \(error.message)")
        }
    }
}
