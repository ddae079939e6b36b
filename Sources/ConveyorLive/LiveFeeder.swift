import ConveyorCore
import ConveyorDataTaking
import ConveyorRequests
import ConveyorStore
import Foundation

/// Moves every run stream along while data is taken: hands arriving raw files to express in
/// batches (one express request each, submitted as the files arrive, not when the run ends), runs
/// the prompt calibration loop per run and appends its payloads in run order, tells the handshake
/// when a run's calibrations are done (so it may be released early), submits PromptReco of each
/// released run, and records every step of the per-run machine (``LiveStreamMachine``) as an event.
///
/// One ``cycle(at:)`` reads only the run streams still on their way, so its cost follows what is
/// active, not the season. The scheduler runs it beside the handshake's cycle under its lease.
///
/// ```swift
/// let feeder = LiveFeeder(store: store)
/// try await feeder.cycle()                       // now
/// try await feeder.cycle(at: simulatedMoment)    // tests: days of data taking in seconds
/// ```
public struct LiveFeeder: Sendable {
    public let store: Store
    /// Where calibration producers run (a scratch folder per run).
    public var scratch: URL
    let actor = Actor(name: "live-feeder", role: .manager)

    public init(store: Store, scratch: URL = FileManager.default.temporaryDirectory) {
        self.store = store
        self.scratch = scratch
    }

    public struct CycleResult: Sendable, Equatable {
        public var streamsStarted = 0
        public var expressSubmitted = 0
        public var harvested = 0
        public var uploaded = 0
        public var promptSubmitted = 0
        public var transitions = 0
        public var active = 0
        public var didWork: Bool { streamsStarted + expressSubmitted + harvested + uploaded + promptSubmitted + transitions > 0 }
    }

    /// One cycle at `moment` (a simulated clock), or now.
    @discardableResult
    public func cycle(at moment: Timestamp? = nil) async throws(ConveyorError) -> CycleResult {
        var result = CycleResult()
        guard let (_, configuration) = try await LiveDataTaking(store: store).configuration() else { return result }
        let now = moment ?? .now
        result.streamsStarted = try await startStreams(configuration, at: now)
        let streams = try await store.read { try await $0.activeLiveStreams() }
        result.active = streams.count
        guard let first = streams.first?.run, let last = streams.last?.run else { return result }
        let runs = try await store.read { session in
            Dictionary(try await session.promptRuns(from: first, to: last).map { ($0.run, $0) }, uniquingKeysWith: { a, _ in a })
        }
        // What express needs, read once for every stream still taking files: the files not yet
        // handed over, and the states of the express requests so far.
        let feeding = streams.filter { $0.stage.rank <= LiveStage.closed.rank }
        let (arrivals, states) = try await store.read { session in
            var arrivals: [String: [ExpRun: [(lfn: String, dataTag: String?, at: Timestamp)]]] = [:]
            for name in Set(feeding.map(\.stream)) {
                arrivals[name] = try await session.rawFilesNotExpressed(feeding.filter { $0.stream == name }.map(\.run), stream: name)
            }
            return (arrivals, try await session.requestWorkflowStates(feeding.flatMap(Self.expressRequestNames)))
        }
        var uploadedRuns: [ExpRun: Bool] = [:]
        for var stream in streams {
            guard let run = runs[stream.run] else { continue }
            let settings = configuration.streams(for: stream.run).first { $0.name == stream.stream }
            var facts = LiveStreamMachine.Facts(run: run, hasExpress: settings?.express != nil, promptWanted: settings?.promptReco != nil)
            if let settings, let express = settings.express, stream.stage.rank <= LiveStage.closed.rank {
                result.expressSubmitted += try await feedExpress(
                    &stream, settings, express, configuration, &facts, arrived: arrivals[stream.stream]?[stream.run] ?? [], states: states)
            }
            result.transitions += try await advance(&stream, facts, now: now)
            if let settings {
                let loop = try await calibrate(&stream, settings, configuration, run: run, now: now)
                result.harvested += loop.harvested
                result.uploaded += loop.uploaded
                result.transitions += try await advance(&stream, facts, now: now)
            }
            if stream.stage == .released || stream.stage == .prompt_done {
                // Read once: PromptReco is not submitted for a BAD run, and a flag certifies the stream.
                let run = stream.run
                let quality = try await store.read { try await $0.run(run)?.quality }
                if let settings { result.promptSubmitted += try await prompt(&stream, settings, configuration, &facts, quality: quality, now: now) }
                if let quality, quality != .unknown { facts.quality = quality }
            }
            result.transitions += try await advance(&stream, facts, now: now)
            uploadedRuns[stream.run] = (uploadedRuns[stream.run] ?? true) && stream.stage.rank >= LiveStage.uploaded.rank && stream.stage != .abandoned
        }
        // A run whose every stream has its express and calibrations done may be released early.
        for (run, done) in uploadedRuns where done && runs[run]?.calibratedAt == nil && runs[run]?.lockedAt == nil {
            try await store.write { session in
                try await session.setPromptCalibrated(run, at: now)
                try await session.appendPromptRunEvent(
                    run, stage: "calibrated", reason: "express and every calibration of every stream done", actor: actor.name, at: now)
            }
        }
        return result
    }

    /// Gives newly tracked runs their streams, as the configuration says for each run.
    func startStreams(_ configuration: DataTakingConfiguration, at now: Timestamp) async throws(ConveyorError) -> Int {
        let fresh = try await store.read { try await $0.promptRunsWithoutStreams() }
        guard !fresh.isEmpty else { return 0 }
        return try await store.write { session in
            var started = 0
            for run in fresh {
                for stream in configuration.streams(for: run) {
                    try await session.insertLiveStream(
                        LiveStream(
                            run: run, stream: stream.name, stageAt: now, reason: "run tracked",
                            producers: stream.calibrations.map { LiveStream.Producer(name: $0.name) }))
                    try await session.appendLiveStreamEvent(LiveStreamEvent(run: run, stream: stream.name, at: now, stage: "open", reason: "run tracked"))
                    started += 1
                }
            }
            return started
        }
    }

    /// Applies the machine's steps until there is none; each is an event.
    func advance(_ stream: inout LiveStream, _ facts: LiveStreamMachine.Facts, now: Timestamp) async throws(ConveyorError) -> Int {
        var steps: [LiveStreamEvent] = []
        while let (stage, reason) = LiveStreamMachine.next(after: stream, facts), steps.count < LiveStage.allCases.count {
            stream.stage = stage
            stream.stageAt = now
            stream.reason = reason
            steps.append(LiveStreamEvent(run: stream.run, stream: stream.stream, at: now, stage: stage.rawValue, reason: reason))
        }
        guard !steps.isEmpty else { return 0 }
        let (changed, events) = (stream, steps)
        try await store.write { session in
            try await session.updateLiveStream(changed)
            for step in events { try await session.appendLiveStreamEvent(step) }
        }
        return steps.count
    }

    func record(_ stream: LiveStream, event stage: String, _ reason: String, at now: Timestamp) async throws(ConveyorError) {
        try await store.write { session in
            try await session.updateLiveStream(stream)
            try await session.appendLiveStreamEvent(LiveStreamEvent(run: stream.run, stream: stream.stream, at: now, stage: stage, reason: reason))
        }
    }
}
