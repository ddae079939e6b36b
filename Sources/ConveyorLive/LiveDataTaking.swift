import ConveyorConditions
import ConveyorCore
import ConveyorDataTaking
import ConveyorStore
import ConveyorWorkflow
import Foundation

/// Live data taking: the data-taking configuration, and where every run stream stands. The
/// ``LiveFeeder`` does the work, one cycle at a time beside the scheduler.
///
/// ```swift
/// let live = LiveDataTaking(store: store)
/// try await live.configure(yaml, fileName: "datataking.yaml", trackFrom: ExpRun(exp: 8, run: 1), by: mona)
/// let status = try await live.status()
/// status.streams.first?.stage   // .express_done
/// ```
public struct LiveDataTaking: Sendable {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    public struct Status: Sendable, Codable {
        public var configuration: StoreSession.LiveConfigurationRow?
        public var handshake: PromptReco.Status
        public var streams: [LiveStream]
    }

    public struct RunDetail: Sendable, Codable {
        public var prompt: PromptRunDetail?
        public var streams: [LiveStream]
        public var events: [LiveStreamEvent]
    }

    public static func parse(_ data: Data, fileName: String) throws(ConveyorError) -> DataTakingConfiguration {
        try DataTakingConfiguration(configuration: try ConfigurationFile.read(data, name: fileName))
    }

    /// The JSON Schema of a data-taking configuration.
    public static var schema: String { RequestSchema.document(for: DataTakingConfiguration.fields, title: "Conveyor data-taking configuration") }

    /// Puts a configuration in force (the one before stays in the history) and sets the handshake's
    /// delays from it; `trackFrom` starts tracking runs (nil keeps where tracking stands). The tags
    /// it names must exist, and a calibration's tag must be synchronised (`pcl` or `prompt`), so
    /// that no payload can land on a locked run. Needs `manager`.
    @discardableResult
    public func configure(_ data: Data, fileName: String, trackFrom: ExpRun?, by actor: Actor) async throws(ConveyorError) -> DataTakingConfiguration {
        try actor.require(.manager, to: "configuring data taking")
        let configuration = try Self.parse(data, fileName: fileName)
        let conditions = ConditionsDatabase(store: store)
        for name in Set(configuration.expressTags + configuration.promptTags) { _ = try await conditions.tag(named: name) }
        for stream in configuration.streams {
            for producer in stream.calibrations {
                let tag = try await conditions.tag(named: producer.tag)
                let sync = try await store.read { try await $0.globalTagSync(id: tag.id) }
                guard sync == .pcl || sync == .prompt else {
                    throw .invalidInput(
                        "\(fileName): streams.\(stream.name).calibrations.\(producer.name): tag \(producer.tag) is synchronised as \(sync?.rawValue ?? "nothing"); give it pcl (conveyor gt sync \(producer.tag) pcl)"
                    )
                }
            }
        }
        let text = String(decoding: data, as: UTF8.self)
        try await store.write { session in
            let handshake = try await session.promptHandshake(forUpdate: true)
            try await session.savePromptSettings(configuration.prompt, trackFrom: trackFrom ?? handshake.trackFrom)
            let id = try await session.insertLiveConfiguration(text, fileName: fileName, at: .now, actor: actor.name)
            try await session.appendAudit(
                AuditRecord(
                    actor: actor, action: "live.configure", subjectKind: "live", subject: "configuration \(id)",
                    detail:
                        "\(fileName): streams \(configuration.streams.map(\.name).joined(separator: ", ")); tracking from \((trackFrom ?? handshake.trackFrom)?.description ?? "nowhere")"
                ))
        }
        return configuration
    }

    /// The configuration in force, and when and by whom it was set.
    public func configuration() async throws(ConveyorError) -> (row: StoreSession.LiveConfigurationRow, configuration: DataTakingConfiguration)? {
        guard let row = try await store.read({ try await $0.liveConfigurations(limit: 1).first }) else { return nil }
        return (row, try Self.parse(Data(row.configuration.utf8), fileName: row.fileName))
    }

    public func history(limit: Int = 50) async throws(ConveyorError) -> [StoreSession.LiveConfigurationRow] {
        try await store.read { try await $0.liveConfigurations(limit: min(max(limit, 1), 1_000)) }
    }

    public func status(limit: Int = 100) async throws(ConveyorError) -> Status {
        let bounded = min(max(limit, 1), 10_000)
        let handshake = try await PromptReco(store: store).status(limit: bounded)
        return try await store.read { session in
            Status(
                configuration: try await session.liveConfigurations(limit: 1).first, handshake: handshake,
                streams: try await session.liveStreams(limit: bounded))
        }
    }

    /// One handshake cycle, then one feeder cycle, at `moment` (a simulated clock) or now: what the
    /// scheduler runs every few seconds, for `live cycle` and `POST /api/v1/live/cycle`.
    @discardableResult
    public func cycle(
        at moment: Timestamp? = nil, actor: String = "prompt-handshake"
    ) async throws(ConveyorError) -> (
        handshake: PromptReco.CycleResult, feeder: LiveFeeder.CycleResult
    ) {
        (try await PromptReco(store: store).cycle(at: moment, actor: actor), try await LiveFeeder(store: store).cycle(at: moment))
    }

    public func run(_ run: ExpRun) async throws(ConveyorError) -> RunDetail {
        let prompt: PromptRunDetail?
        do { prompt = try await PromptReco(store: store).run(run) } catch .notFound(_) { prompt = nil }
        return try await store.read { session in
            let streams = try await session.liveStreams(run: run)
            guard prompt != nil || !streams.isEmpty else { throw ConveyorError.notFound("run \(run) is not tracked by live data taking") }
            return RunDetail(prompt: prompt, streams: streams, events: try await session.liveStreamEvents(run))
        }
    }
}
