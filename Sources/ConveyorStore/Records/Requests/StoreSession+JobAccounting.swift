import ConveyorCore
import SQLKit

/// What a catalog entry says to the accountant: who made it and its events.
public struct FileSummary: Sendable, Equatable {
    public let job: String?
    public let events: Int64
}

extension StoreSession {
    /// Request jobs by id (their `inputs` left empty), a few queries for any number of ids.
    ///
    /// ```swift
    /// let jobs = try await session.requestJobs(ids: ended.map(\.id))
    /// ```
    public func requestJobs(ids: [Int64]) async throws -> [Int64: RequestJob] {
        var out: [Int64: RequestJob] = [:]
        for start in stride(from: 0, to: ids.count, by: Self.registrationChunk) {
            let part = Array(ids[start..<min(start + Self.registrationChunk, ids.count)])
            for row in try await sql.select().columns(
                "id", "request_id", "step", "task", "site", "exp", "run", "level", "data_tag", "output_lfn", "failures",
                "reason", "events", "cpu_seconds", "report", "updated_at", "seed", "planned_events"
            )
            .from("request_jobs").where("id", .in, part).all() {
                let job = try Self.requestJob(row)
                out[job.id] = job
            }
        }
        return out
    }

    /// The input rows of jobs by job id, each job's in order.
    public func requestInputs(jobs ids: [Int64]) async throws -> [Int64: [RequestInput]] {
        var out: [Int64: [RequestInput]] = [:]
        for start in stride(from: 0, to: ids.count, by: Self.registrationChunk) {
            let part = Array(ids[start..<min(start + Self.registrationChunk, ids.count)])
            let rows = try await sql.select().column(SQLColumn("job_id", table: "i")).column(SQLColumn("step", table: "j")).column(SQLColumn("lfn", table: "i"))
                .column(SQLColumn("state", table: "i")).column(SQLColumn("reason", table: "i")).column(SQLColumn("updated_at", table: "i"))
                .from(SQLAlias(SQLIdentifier("request_inputs"), as: SQLIdentifier("i")))
                .join(SQLAlias(SQLIdentifier("request_jobs"), as: SQLIdentifier("j")), on: SQLColumn("id", table: "j"), .equal, SQLColumn("job_id", table: "i"))
                .where(SQLColumn("job_id", table: "i"), .in, SQLBind.group(part)).orderBy(SQLColumn("id", table: "i")).all()
            for row in rows {
                let input = try Self.requestInput(row)
                out[input.jobID, default: []].append(input)
            }
        }
        return out
    }

    /// Who made each of these files and their events, for those the catalog holds.
    public func fileSummaries(_ lfns: [String]) async throws -> [String: FileSummary] {
        var out: [String: FileSummary] = [:]
        for start in stride(from: 0, to: lfns.count, by: Self.registrationChunk) {
            let part = Array(lfns[start..<min(start + Self.registrationChunk, lfns.count)])
            for row in try await sql.select().columns("lfn", "job", "events").from("files").where("lfn", .in, part).all() {
                out[try row.decode(column: "lfn", as: String.self)] = FileSummary(
                    job: try row.decode(column: "job", as: String?.self),
                    events: try row.decode(column: "events", as: Int64.self))
            }
        }
        return out
    }
}
