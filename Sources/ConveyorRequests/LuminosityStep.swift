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
        let runs = try await Requests(store: store).runs(of: request).runs.map(\.record)
        let catalog = FileCatalog(store: store)
        var out: [RequestLuminosity.Group] = []
        for group in try await Requests(store: store).snapshot(record).outputGroups {
            let account = try await catalog.luminosity(behind: group.lfns)
            out.append(.init(level: group.level, dataTag: group.dataTag, files: group.lfns.count, events: group.events, luminosity: account.luminosity))
        }
        let result = RequestLuminosity(runs: runs.reduce(0) { $0 + $1.luminosity }, groups: out, measuredAt: .now)
        try await store.write { try await $0.setRequestLuminosity(record.id, result) }
        return result
    }
}
