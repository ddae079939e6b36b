import ConveyorCore
import ConveyorRuns
import ConveyorStore

/// The request's luminosity step (`conveyor request luminosity NAME`): the luminosity behind the
/// outputs of each level and skim, traced through the catalog's provenance to the raw files, and
/// the luminosity of the request's runs, stored on the request for its page and summary.
public struct LuminosityStep: Sendable {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    public func run(request name: String) async throws(ConveyorError) -> RequestLuminosity {
        let (record, request) = try await Requests.load(name, from: store)
        let context = try await Requests(store: store).context(of: request)
        let jobs = try await store.read { try await $0.requestJobs(request: record.id) }
        let processed = Set(try await store.read { try await $0.requestInputs(request: record.id, state: .processed) }.map(\.jobID))
        struct Key: Hashable { let level: DataLevel; let tag: String? }
        var groups: [Key: (lfns: [String], events: Int64)] = [:]
        for job in jobs where processed.contains(job.id) {
            guard let lfn = job.outputLFN else { continue }
            let key = Key(level: job.level, tag: job.dataTag)
            groups[key, default: ([], 0)].lfns.append(lfn)
            groups[key, default: ([], 0)].events += job.events ?? 0
        }
        let catalog = FileCatalog(store: store)
        var out: [RequestLuminosity.Group] = []
        for (key, group) in groups.sorted(by: { ($0.key.level.rawValue, $0.key.tag ?? "") < ($1.key.level.rawValue, $1.key.tag ?? "") }) {
            let account = try await catalog.luminosity(behind: group.lfns)
            out.append(.init(level: key.level, dataTag: key.tag, files: group.lfns.count, events: group.events, luminosity: account.luminosity))
        }
        let result = RequestLuminosity(runs: context.runs.reduce(0) { $0 + $1.luminosity }, groups: out, measuredAt: .now)
        try await store.write { try await $0.setRequestLuminosity(record.id, result) }
        return result
    }
}
