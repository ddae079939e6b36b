/// The per-run, per-stream state machine of live data taking, decided without I/O: from what the
/// feeder read about a run stream, the next stage and why. The feeder applies steps until there is
/// none, recording each as an event.
///
/// ```swift
/// var facts = LiveStreamMachine.Facts(run: promptRun, hasExpress: true)
/// LiveStreamMachine.next(after: stream, facts)   // (.closed, "end record at 2026-12-07T10:00:00Z")
/// ```
public enum LiveStreamMachine {
    /// What the feeder knows about a run stream when it decides.
    public struct Facts: Sendable, Equatable {
        /// The run as the PromptReco handshake sees it (end or close, lock, release, disposition).
        public var run: PromptRun
        public var hasExpress: Bool
        /// Selected raw files not yet handed to express.
        public var filesWaiting: Int
        /// Express requests of the run stream not yet done.
        public var chunksOpen: Int
        public var promptWanted: Bool
        /// Why PromptReco is left out for the run although the stream wants it (a run flagged BAD).
        public var promptSkipped: String?
        /// Whether its PromptReco request is done; nil while none is submitted.
        public var promptDone: Bool?
        /// The run's summary quality once a shifter certified it (nil while UNKNOWN).
        public var quality: QualityFlag?

        public init(
            run: PromptRun, hasExpress: Bool, filesWaiting: Int = 0, chunksOpen: Int = 0, promptWanted: Bool = true,
            promptSkipped: String? = nil, promptDone: Bool? = nil, quality: QualityFlag? = nil
        ) {
            self.promptSkipped = promptSkipped
            self.run = run
            self.hasExpress = hasExpress
            self.filesWaiting = filesWaiting
            self.chunksOpen = chunksOpen
            self.promptWanted = promptWanted
            self.promptDone = promptDone
            self.quality = quality
        }
    }

    /// The next stage of `stream` and why, or nil when it stays where it is.
    public static func next(after stream: LiveStream, _ facts: Facts) -> (stage: LiveStage, reason: String)? {
        let stage = stream.stage
        let run = facts.run
        if stage.isFinal { return nil }
        if run.disposition == .abandoned { return (.abandoned, "abandoned by a shifter: \(run.dispositionReason ?? "no reason given")") }
        if run.releasedAt == nil, run.disposition == .postponed, stage.rank >= LiveStage.uploaded.rank, stage != .postponed {
            return (.postponed, "postponed by a shifter: \(run.dispositionReason ?? "no reason given")")
        }
        if stage == .postponed, run.disposition == .normal, run.releasedAt == nil {
            return run.lockedAt == nil ? (.uploaded, "going on: a shifter lifted the postponement") : (.locked, "going on: a shifter lifted the postponement")
        }
        let unfinished = stage.rank < LiveStage.uploaded.rank ? " before its \(stage == .harvested ? "uploads" : "express and calibrations") finished" : ""
        if let released = run.releasedAt, stage.rank < LiveStage.released.rank {
            return (.released, "PromptReco released at \(released.iso8601)\(unfinished)")
        }
        if let locked = run.lockedAt, stage.rank < LiveStage.locked.rank {
            return (.locked, "locked by the handshake at \(locked.iso8601)\(unfinished)")
        }
        let producers = stream.producers
        switch stage {
        case .open:
            guard let end = run.effectiveEnd else { return nil }
            return (.closed, run.end != nil ? "end record at \(end.iso8601)" : run.closeReason ?? "closed at \(end.iso8601)")
        case .closed:
            if !facts.hasExpress { return (.express_done, "no express processing for this stream") }
            guard facts.filesWaiting == 0, facts.chunksOpen == 0 else { return nil }
            let latency = stream.expressLatencySeconds.map { String(format: ", the last %.1f s after the run's last raw file", $0) } ?? ""
            return (.express_done, "express of \(stream.expressFiles) file(s) in \(stream.expressChunks) request(s) registered\(latency)")
        case .express_done:
            if producers.isEmpty { return (.harvested, "no calibrations for this stream") }
            guard producers.allSatisfy({ $0.state != .waiting }) else { return nil }
            return (.harvested, producers.map { "\($0.name) \($0.state)" }.joined(separator: ", "))
        case .harvested:
            guard producers.allSatisfy(\.state.isSettled) else { return nil }
            return (.uploaded, producers.isEmpty ? "nothing to upload" : producers.map { "\($0.name) \($0.state)" }.joined(separator: ", "))
        case .released:
            if let skipped = facts.promptSkipped { return (.prompt_done, "no PromptReco: \(skipped)") }
            if !facts.promptWanted { return (.prompt_done, "no PromptReco for this stream") }
            guard facts.promptDone == true else { return nil }
            return (.prompt_done, "PromptReco request \(stream.promptRequest ?? "") done")
        case .prompt_done:
            guard let quality = facts.quality else { return nil }
            return (.certified, "run quality \(quality.rawValue)")
        case .uploaded, .locked, .postponed, .certified, .abandoned:
            return nil
        }
    }

    /// Whether a producer of a run stream may harvest now: once express is done (or the run is
    /// closed, for a producer reading raw data), or, partially, once its harvest timeout has passed.
    public static func harvestDue(
        _ producer: DataTakingConfiguration.Producer, stage: LiveStage, end: Timestamp?, now: Timestamp
    ) -> (due: Bool, partial: Bool) {
        guard stage != .open || end != nil, let end else { return (false, false) }
        if stage.rank >= LiveStage.express_done.rank { return (true, false) }
        if producer.input == .raw, stage.rank >= LiveStage.closed.rank { return (true, false) }
        return (end.adding(seconds: producer.harvestTimeoutSeconds) <= now, true)
    }
}
