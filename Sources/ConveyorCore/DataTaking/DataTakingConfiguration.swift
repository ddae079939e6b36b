/// What Conveyor does with runs as they are taken, shaped like CMS Tier-0's `Tier0Config`: global
/// settings, streams, and overrides for run ranges. Read from YAML or JSON with every error naming
/// the key path (``init(configuration:)``), published as a JSON Schema (`conveyor live schema`).
///
/// ```yaml
/// global:
///   release: release-08-01-00
///   express_tags: [online]                 # what express runs with
///   prompt_tags: [prompt_pcl, online]      # what PromptReco runs with, highest priority first
///   site: {name: KEKCC, pool: local}
///   output_base: /belle/Data
///   commands: {reconstruction: basf2 reco.py, quality: basf2 dqm.py}
///   prompt: {delay: 48h, lock_offset: 30m, close_after: 4h, minimum_delay: 8h}
/// streams:
///   - name: physics
///     express: {selection: [hlt_bhabha], outputs: [cdst]}
///     calibrations:
///       - {name: beamspot, command: basf2 beamspot.py, tag: prompt_pcl, input: express, min_events: 1000}
///     prompt_reco: {outputs: [mdst]}
/// runs:
///   - {runs: "8:120-125", streams: [physics], prompt_reco: false}   # e.g. a cosmic period
/// ```
public struct DataTakingConfiguration: Codable, Sendable, Equatable {
    /// Where a prompt calibration producer reads from.
    public enum ProducerInput: String, Codable, Sendable, CaseIterable, NamedValueSet {
        public static let valueKind = "calibration input"
        public static let isUppercase = false
        /// The run's raw files of the producer's data tags, as they arrived.
        case raw
        /// The run's express outputs of the producer's data tags.
        case express
    }

    /// A prompt calibration producer (CMS's PCL workflow): run per run on what arrived, its payloads
    /// appended to its (pcl-synchronised) tag in run order.
    public struct Producer: Codable, Sendable, Equatable {
        public var name: String
        public var command: String
        /// The tag its payloads are appended to (a `pcl` tag: moved up to the FCSR when late).
        public var tag: String
        public var input: ProducerInput
        /// Data tags (HLT skims) it reads; empty: every file of the input.
        public var dataTags: [String]
        /// Fewer events than this: the run is finished without a payload ("not enough data").
        public var minimumEvents: Int
        /// After this long from the run's end it harvests what there is, express done or not.
        public var harvestTimeoutSeconds: Double
        /// After this long from the run's end it stops trying to upload, and the run goes on without.
        public var uploadTimeoutSeconds: Double
        public var maxIterations: Int
        /// Which level of the express outputs it reads (raw: the HLT skims express made); nil: the reconstructed ones.
        public var level: DataLevel?

        public init(
            name: String, command: String, tag: String, input: ProducerInput = .express, dataTags: [String] = [], minimumEvents: Int = 0,
            harvestTimeoutSeconds: Double = 12 * 3_600, uploadTimeoutSeconds: Double = 18 * 3_600, maxIterations: Int = 3, level: DataLevel? = nil
        ) {
            self.level = level
            self.name = name
            self.command = command
            self.tag = tag
            self.input = input
            self.dataTags = dataTags
            self.minimumEvents = minimumEvents
            self.harvestTimeoutSeconds = harvestTimeoutSeconds
            self.uploadTimeoutSeconds = uploadTimeoutSeconds
            self.maxIterations = maxIterations
        }
    }

    /// Express processing of a stream: a subset of its files, processed as they arrive.
    public struct Express: Codable, Sendable, Equatable {
        /// Data tags (HLT skims) of the raw files to process; empty: every file of the stream.
        public var selection: [String]
        /// The share of the selected files to process, chosen by a hash of the file name so that
        /// the choice does not depend on when a file arrives. 1: all.
        public var fraction: Double
        public var outputs: [DataLevel]
        /// HLT skims express makes from the all-events raw files as they arrive (data tags such as
        /// hlt_bhabha); the selection then names which of them are reconstructed.
        public var hltSkims: [String]

        public init(selection: [String] = [], fraction: Double = 1, outputs: [DataLevel] = [.mdst], hltSkims: [String] = []) {
            self.selection = selection
            self.fraction = fraction
            self.outputs = outputs
            self.hltSkims = hltSkims
        }
    }

    public struct PromptOutputs: Codable, Sendable, Equatable {
        public var outputs: [DataLevel]
        public var skims: [String]

        public init(outputs: [DataLevel] = [.mdst], skims: [String] = []) {
            self.outputs = outputs
            self.skims = skims
        }
    }

    public struct Stream: Codable, Sendable, Equatable {
        public var name: String
        /// Data tags of the raw files that belong to the stream; empty: every raw file of a run.
        public var dataTags: [String]
        public var express: Express?
        public var calibrations: [Producer]
        /// PromptReco of the stream once the handshake releases the run; nil: none.
        public var promptReco: PromptOutputs?

        public init(name: String, dataTags: [String] = [], express: Express? = nil, calibrations: [Producer] = [], promptReco: PromptOutputs? = .init()) {
            self.name = name
            self.dataTags = dataTags
            self.express = express
            self.calibrations = calibrations
            self.promptReco = promptReco
        }

        /// Whether a raw file of the run belongs to the stream.
        public func contains(dataTag: String?) -> Bool { dataTags.isEmpty || dataTags.contains(dataTag ?? "all") }
    }

    /// Settings for a range of runs (Tier0Config's per-run overrides).
    public struct RunOverride: Codable, Sendable, Equatable {
        public var exp: Int
        public var firstRun: Int
        public var lastRun: Int
        /// Only these streams for the runs; nil: every stream.
        public var streams: [String]?
        public var express: Bool?
        public var promptReco: Bool?

        public init(exp: Int, firstRun: Int, lastRun: Int, streams: [String]? = nil, express: Bool? = nil, promptReco: Bool? = nil) {
            self.exp = exp
            self.firstRun = firstRun
            self.lastRun = lastRun
            self.streams = streams
            self.express = express
            self.promptReco = promptReco
        }

        public func covers(_ run: ExpRun) -> Bool { run.exp == exp && (firstRun...lastRun).contains(run.run) }
    }

    public var release: String
    public var expressTags: [String]
    public var promptTags: [String]
    public var site: ProcessingRequest.Site
    public var outputBase: String
    public var commands: ProcessingRequest.Commands
    public var prompt: PromptSettings
    /// How long express outputs are kept (seed 004: 30 days), as a rule on `expressKeepOn`.
    public var expressLifetimeSeconds: Int64?
    /// Where express outputs are kept for their lifetime: a site expression.
    public var expressKeepOn: String?
    public var streams: [Stream]
    public var runs: [RunOverride]

    /// The streams a run takes, with the run's overrides applied (the last matching override wins).
    public func streams(for run: ExpRun) -> [Stream] {
        var chosen = streams
        for override in runs where override.covers(run) {
            if let names = override.streams { chosen = streams.filter { names.contains($0.name) } }
            if let express = override.express, !express {
                chosen = chosen.map {
                    var s = $0; s.express = nil; return s
                }
            }
            if let prompt = override.promptReco, !prompt {
                chosen = chosen.map {
                    var s = $0; s.promptReco = nil; return s
                }
            }
        }
        return chosen
    }

    /// Whether the express selection takes a file: its data tag is selected and its name falls in
    /// the fraction (FNV-1a of the LFN, so the choice is the same whenever the file arrives).
    public static func expressTakes(lfn: String, dataTag: String?, express: Express) -> Bool {
        if !express.hltSkims.isEmpty {
            // Express skims the all-events files itself.
            guard dataTag == nil || dataTag == "all" else { return false }
        } else {
            guard express.selection.isEmpty || express.selection.contains(dataTag ?? "all") else { return false }
        }
        if express.fraction >= 1 { return true }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in lfn.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Double(hash % 10_000) < express.fraction * 10_000
    }
}
