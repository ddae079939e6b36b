import ConveyorCore
import ConveyorStore

/// Runs and their raw files as they arrive from the data acquisition while Conveyor runs: a
/// run-start record, raw files as they are written, a run-end record. Each call is one
/// transaction and says in one line why it refuses: a file for an unknown run, an end before the
/// start, a file registered before with other checksums. The same record sent twice (a DAQ that
/// retries after a lost answer) changes nothing.
///
/// ```swift
/// let daq = RunArrival(store: store)
/// try await daq.start(ExpRun(exp: 8, run: 12), at: .now, by: daqAccount)
/// try await daq.files([raw0, raw1], by: daqAccount)
/// try await daq.end(ExpRun(exp: 8, run: 12), at: .now, events: 20_000, onlineLuminosity: 1.2, by: daqAccount)
/// ```
public struct RunArrival: Sendable {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    /// What a registration of files did.
    public struct Registered: Sendable, Codable, Equatable {
        public var registered: Int
        public var alreadyPresent: Int

        public init(registered: Int, alreadyPresent: Int) {
            self.registered = registered
            self.alreadyPresent = alreadyPresent
        }
    }

    /// A run-start record. Needs `manager` (the DAQ's account).
    @discardableResult
    public func start(
        _ run: ExpRun, at moment: Timestamp, type: RunType = .physics, energy: String = "4S", magnet: Bool = true, by actor: Actor
    ) async throws(ConveyorError) -> RunRecord {
        try actor.require(.manager, to: "recording a run's start")
        return try await store.write { session in
            if let existing = try await session.run(run)?.record {
                guard existing.start == moment else {
                    throw ConveyorError.conflict("run \(run) already started at \(existing.start?.iso8601 ?? "an unknown time"), not \(moment.iso8601)")
                }
                return existing
            }
            let record = RunRecord(run: run, type: type, energy: energy, magnet: magnet, start: moment, state: .taking)
            _ = try await session.upsertRun(record, at: .now, by: actor.name)
            try await session.appendAudit(
                AuditRecord(actor: actor, action: "daq.start", subjectKind: "run", subject: run.description, detail: "started at \(moment.iso8601)"))
            return record
        }
    }

    /// A run-end record: its stop time and, when known, its events and online luminosity (/pb).
    @discardableResult
    public func end(
        _ run: ExpRun, at moment: Timestamp, events: Int64? = nil, onlineLuminosity: Double? = nil, by actor: Actor
    ) async throws(ConveyorError) -> RunRecord {
        try actor.require(.manager, to: "recording a run's end")
        if let events, events < 0 { throw .invalidInput("run \(run): events must be zero or more, not \(events)") }
        if let onlineLuminosity, !(onlineLuminosity.isFinite && onlineLuminosity >= 0) {
            throw .invalidInput("run \(run): the online luminosity must be zero or more /pb")
        }
        return try await store.write { session in
            guard var record = try await session.run(run)?.record else {
                throw ConveyorError.notFound("run \(run) has no start record: send its start first")
            }
            if let start = record.start, moment < start {
                throw ConveyorError.invalidInput("run \(run) cannot end at \(moment.iso8601), before its start at \(start.iso8601)")
            }
            if let stop = record.stop {
                guard stop == moment else { throw ConveyorError.conflict("run \(run) already ended at \(stop.iso8601), not \(moment.iso8601)") }
                return record
            }
            record.stop = moment
            record.state = .ended
            if let events { record.events = events }
            if let onlineLuminosity { record.onlineLuminosity = onlineLuminosity }
            _ = try await session.upsertRun(record, at: .now, by: actor.name)
            try await session.appendAudit(
                AuditRecord(actor: actor, action: "daq.end", subjectKind: "run", subject: run.description, detail: "ended at \(moment.iso8601)"))
            return record
        }
    }

    /// Raw files as they are written, all or nothing: every file's run must have a start record.
    @discardableResult
    public func files(_ files: [CatalogFile], by actor: Actor) async throws(ConveyorError) -> Registered {
        try actor.require(.manager, to: "registering raw files")
        var seen: Set<String> = []
        for file in files {
            try file.validate()
            guard file.level == .raw else { throw .invalidInput("\(file.lfn) is \(file.level.rawValue): the data acquisition sends raw files") }
            guard file.parents.isEmpty else { throw .invalidInput("\(file.lfn): a raw file has no parents") }
            guard seen.insert(file.lfn).inserted else { throw .invalidInput("\(file.lfn) appears twice in the list") }
        }
        guard !files.isEmpty else { return Registered(registered: 0, alreadyPresent: 0) }
        return try await store.write { session in
            for run in Set(files.map(\.run)) where try await session.run(run) == nil {
                let lfn = files.first { $0.run == run }?.lfn ?? ""
                throw ConveyorError.notFound("\(lfn) is for run \(run), which has no start record")
            }
            let now = Timestamp.now
            let registered = try await session.registerFiles(files, at: now)
            if registered > 0 {
                try await session.appendAudit(
                    AuditRecord(
                        at: now, actor: actor, action: "daq.files", subjectKind: "files", subject: files.count == 1 ? files[0].lfn : "\(files.count) files",
                        detail: "\(registered) registered, \(files.count - registered) already present"))
            }
            return Registered(registered: registered, alreadyPresent: files.count - registered)
        }
    }
}
