import ConveyorAccess
import ConveyorConditions
import ConveyorCore
import ConveyorExecutors
import ConveyorJob
import ConveyorRuns
import ConveyorStore
import ConveyorWorkflow
import Foundation
import Synchronization

/// The central side of a request's job steps, as CMS WMAgent's JobAccountant and DIRAC's job
/// wrapper services are: the job on the worker opens no database.
///
/// - At dispatch it *describes* each job (``describe(_:)``): its inputs' copies at the site,
///   its output LFNs and where to write them, the tag stack and run, the program and limits,
///   written into the job's folder as `job.json` beside the exported payload files; the inputs
///   become Assigned.
/// - When the job ends it *accounts* for it (``account(_:)``): it reads the job's `report.json`,
///   checks each output again where it arrived (size, Adler-32, SHA-256), brings it home when the
///   pool transfers files, and registers it with its provenance, moves the inputs to Processed
///   and records the job's figures — for a whole batch of ended jobs in one transaction.
///
/// A job is skipped when it is done (its output registered by this request, all inputs final),
/// when an input is invalidated, or when an input an earlier job should have made does not
/// exist: then it is dispatched as a no-op and accounted as succeeded with the reason. A failure
/// is counted; at `max_file_failures` the inputs are Problematic and the job ends without
/// failing its task, so one bad file does not hold up a bucket. A report read twice registers
/// nothing twice.
///
/// ```swift
/// let plugins = SchedulerPlugins(accountants: [RequestJobAccountant.name: RequestJobAccountant(store: store)])
/// ```
public struct RequestJobAccountant: JobAccountant {
    /// The name request workflows give their job steps' `accountant`.
    public static let name = "request"
    public let store: Store
    let memo = Memo()

    public init(store: Store) {
        self.store = store
    }

    /// What the accountant keeps between calls: job tokens, one per pool for half its lifetime
    /// (a job started near the end of that still has half a lifetime left: `job_token_hours` of
    /// the pool, 48 by default), and parsed request configurations by request id.
    final class Memo: Sendable {
        let minted = Mutex<[String: (token: String, renewAt: ContinuousClock.Instant)]>([:])
        let parsed = Mutex<[Int64: (configuration: String, request: ProcessingRequest)]>([:])
    }

    func jobToken(for pool: Pool) async throws(ConveyorError) -> String {
        if let held = memo.minted.withLock({ $0[pool.name] }), held.renewAt > .now { return held.token }
        let hours = pool.options["job_token_hours"].flatMap { Int($0) }.map { min(max($0, 1), 24 * 30) } ?? 48
        let token = try await Accounts(store: store).startJobSession(lifetime: .seconds(hours * 3600), for: "jobs of pool \(pool.name)")
        memo.minted.withLock { $0[pool.name] = (token, .now + .seconds(hours * 1800)) }
        return token
    }

    /// The element name of a request's job: `request job NAME ID`.
    /// The element of a job; `site` names where a reserve runs it when it moved there (``JobMovePlan``).
    public static func element(request: String, job: Int64, site: String? = nil) -> String {
        "request job \(request) \(job)" + (site.map { " at \($0)" } ?? "")
    }

    static func parse(_ element: String) throws(ConveyorError) -> (request: String, job: Int64, site: String?) {
        let parts = element.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 4 || (parts.count == 6 && parts[4] == "at"), parts[0] == "request", parts[1] == "job", let id = Int64(parts[3]) else {
            throw .invalidInput("'\(element)' is not a request job (expected 'request job NAME ID [at SITE]')")
        }
        return (String(parts[2]), id, parts.count == 6 ? String(parts[5]) : nil)
    }

    static func jobLabel(_ record: RequestRecord, _ job: RequestJob) -> String { "request \(record.name) job \(job.id)" }

    /// A request's record and its parsed configuration.
    struct Loaded: Sendable {
        let record: RequestRecord
        let request: ProcessingRequest
    }

    /// A request's record, read once per batch; its configuration parsed once for as long as it
    /// stays the same (every job of a step is described with the same request).
    func load(_ name: String, cache: inout [String: Loaded]) async throws(ConveyorError) -> Loaded {
        if let loaded = cache[name] { return loaded }
        guard let record = try await store.read({ try await $0.request(named: name) }) else { throw .notFound("no request named '\(name)'") }
        let request: ProcessingRequest
        if let parsed = memo.parsed.withLock({ $0[record.id] }), parsed.configuration == record.configuration {
            request = parsed.request
        } else {
            request = try Requests.parse(Data(record.configuration.utf8), name: record.fileName)
            memo.parsed.withLock { $0[record.id] = (record.configuration, request) }
        }
        let loaded = Loaded(record: record, request: request)
        cache[name] = loaded
        return loaded
    }

    /// What the store holds about a job: its row, its inputs, and what the catalog says of its
    /// output and inputs (who made them, their events).
    struct JobState: Sendable {
        var job: RequestJob
        let inputs: [RequestInput]
        let output: FileSummary?
        let known: [String: FileSummary]
    }

    /// The states of jobs, read in one read transaction with a few queries for the whole batch
    /// (nil for a job that no longer exists).
    func states(_ ids: [Int64]) async throws(ConveyorError) -> [JobState?] {
        try await store.read { session in
            let jobs = try await session.requestJobs(ids: ids)
            let inputs = try await session.requestInputs(jobs: Array(jobs.keys))
            let lfns = jobs.values.compactMap(\.outputLFN) + inputs.values.flatMap { $0.map(\.lfn) }
            let known = try await session.fileSummaries(Array(Set(lfns)))
            return ids.map { id in
                guard let job = jobs[id] else { return nil }
                let own = inputs[id] ?? []
                var mine: [String: FileSummary] = [:]
                for input in own { mine[input.lfn] = known[input.lfn] }
                return JobState(job: job, inputs: own, output: job.outputLFN.flatMap { known[$0] }, known: mine)
            }
        }
    }

    /// Why a job needs no run, when it needs none: done, or skipped for a bad or missing input.
    static func finishedAlready(_ loaded: Loaded, _ state: JobState) throws(ConveyorError) -> String? {
        let job = state.job, inputs = state.inputs
        if !inputs.isEmpty, inputs.allSatisfy({ $0.state.isFinal }) {
            return "already done: inputs \(inputs.map(\.state.rawValue).joined(separator: ", "))"
        }
        if let output = job.outputLFN, let existing = state.output {
            guard existing.job == jobLabel(loaded.record, job) else {
                throw .conflict("\(output) is already registered by \(existing.job ?? "someone else"); two requests write the same output path")
            }
            return "already done: \(output) is registered"
        }
        if let bad = inputs.first(where: { $0.state == .invalidated }) {
            return "skipped: input \(bad.lfn) is invalidated (\(bad.reason)); revalidate it and resume the request"
        }
        for input in inputs where state.known[input.lfn] == nil {
            return "skipped: input \(input.lfn) was not made (its job did not succeed)"
        }
        return nil
    }
}

extension RequestJobAccountant {
    /// Runs one job here and now, as the scheduler would have it run (`conveyor request job NAME
    /// ID`, for an operator retrying a job by hand): described into `folder`, run by the job
    /// runner in this process, accounted. - Returns: the accountant's verdict.
    public func runHere(request name: String, job id: Int64, folder: String) async throws(ConveyorError) -> JobVerdict {
        let pool = try Pool(name: "here", executor: .local, slots: 1)
        let element = Self.element(request: name, job: id)
        let described = try await describe(element, JobDispatch(folder: folder, pool: pool, runner: "conveyor-job", attempt: 1))
        if described.command != ":" { JobRunner(folder: folder).run() }
        let verdicts = try await account([
            EndedJob(
                element: element, folder: folder, pool: pool,
                status: BatchJobStatus(uuid: "here", arrayIndex: 0, state: .succeeded, exitCode: 0))
        ])
        return verdicts.first ?? JobVerdict(succeeded: false, detail: "no verdict")
    }
}
