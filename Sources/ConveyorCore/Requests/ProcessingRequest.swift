/// A processing request: the single configuration from which a bucket's whole calibration and
/// processing DAG is generated (seed 000). Read from YAML or JSON through ``ConfigurationValue``,
/// so every error names the file and the key path; ``RequestSchema`` publishes the same shape as
/// a JSON Schema.
///
/// ```yaml
/// name: prompt-b16
/// campaign: prompt
/// bucket: bucket16
/// release: release-08-01-00
/// input: {level: raw, selection: [hlt_hadron, hlt_bhabha]}
/// outputs: [cdst, mdst]
/// global_tags: [online, prompt_base]
/// staging_tag: staging_b16
/// prompt_tag: prompt
/// sites: [{name: KEKCC, pool: kekcc}]
/// calibrations:
///   - {name: cdc_tracking, command: "basf2 cdc.py", expert: cdc-expert, input: {data_tags: [hlt_bhabha]}}
/// commands: {reconstruction: basf2 reco.py, skim: basf2 skim.py}
/// output_base: /belle/Data
/// ```
public struct ProcessingRequest: Codable, Sendable, Equatable {
    public enum Campaign: Codable, Sendable, Equatable, CustomStringConvertible {
        /// Calibrate the bucket, running-update the prompt tag, process.
        case prompt
        /// A reprocessing (`proc9`): the same shape into a new tag, no running update.
        case reprocessing(Int)
        /// No calibration: process with the given tags.
        case unofficial
        case express

        public init(parsing text: String) throws(ConveyorError) {
            let lower = text.lowercased()
            switch lower {
            case "prompt": self = .prompt
            case "unofficial": self = .unofficial
            case "express": self = .express
            default:
                guard lower.hasPrefix("proc"), let n = Int(lower.dropFirst(4)), n > 0 else {
                    throw .invalidInput("unknown campaign '\(text)' (expected prompt, procN such as proc9, unofficial or express)")
                }
                self = .reprocessing(n)
            }
        }

        public var description: String {
            switch self {
            case .prompt: "prompt"
            case .reprocessing(let n): "proc\(n)"
            case .unofficial: "unofficial"
            case .express: "express"
            }
        }
    }

    public struct Input: Codable, Sendable, Equatable {
        public var level: DataLevel
        /// Named HLT skims, or empty for all events.
        public var skims: [String]
        /// Only these LFNs of the runs, or empty for all (live express hands over a run's files in batches).
        public var files: [String] = []
    }

    public struct Site: Codable, Sendable, Equatable {
        public var name: String
        public var pool: String
        /// Prefix that turns an LFN into the path of its copy at the site (empty: the LFN is the path).
        public var storage: String

        public init(name: String, pool: String, storage: String = "") {
            self.name = name
            self.pool = pool
            self.storage = storage
        }

        /// Where the site's copy of a file lives.
        public func path(of lfn: String) -> String { storage.isEmpty ? lfn : storage + lfn }

        /// The site as a request file writes it: no `storage` key when the LFN is the path.
        public var configuration: [String: String] {
            storage.isEmpty ? ["name": name, "pool": pool] : ["name": name, "pool": pool, "storage": storage]
        }
    }

    /// The experiment's programs that the jobs run. Each is a shell command; the job passes the
    /// inputs, the output path, the global tags and the run in `CONVEYOR_*` variables.
    public struct Commands: Codable, Sendable, Equatable {
        /// Raw data to cDST or mDST, one job per input file (or per `files_per_job`).
        public var reconstruction: String
        /// mDST to a physics skim's uDST (`CONVEYOR_SKIM` names it).
        public var skim: String?
        /// Histograms a run's mDST and compares them with the reference.
        public var quality: String?
        /// Raw data to an HLT skim's raw file (`CONVEYOR_SKIM` names it, e.g. hlt_bhabha).
        public var hltSkim: String?
        /// MC generation, simulation and reconstruction to mDST (`CONVEYOR_EVENT_TYPE`, `CONVEYOR_EVENTS`, `CONVEYOR_SEED`).
        public var generation: String?

        public init(reconstruction: String, skim: String? = nil, quality: String? = nil, hltSkim: String? = nil, generation: String? = nil) {
            self.reconstruction = reconstruction
            self.skim = skim
            self.quality = quality
            self.hltSkim = hltSkim
            self.generation = generation
        }
    }

    public struct Calibration: Codable, Sendable, Equatable {
        public var name: String
        public var command: String
        public var dependsOn: [String]
        /// The user (or role name) who signs the calibration off.
        public var expert: String
        public var maxIterations: Int
        public var dataTags: [String]
        public var quality: QualityFlag?
        public var minimumLuminosity: Double?
        public var minimumEvents: Int?
        /// What it reads: raw data, or the cDST of the calibration skims made by the request.
        public var level: DataLevel
    }

    /// Where the request's outputs of one level (and data tag) are kept: a replication rule over
    /// the dataset `REQUEST.LEVEL[.TAG]` that the outputs join as they are registered.
    public struct OutputRule: Codable, Sendable, Equatable {
        public var level: DataLevel
        /// The skim or HLT data tag; nil for every output of the level.
        public var dataTag: String?
        public var copies: Int
        /// A site expression (Rucio's grammar), e.g. `site=BNL&kind=disk`.
        public var expression: String
        public var lifetimeSeconds: Int64?

        public init(level: DataLevel, dataTag: String? = nil, copies: Int = 1, expression: String, lifetimeSeconds: Int64? = nil) {
            self.level = level
            self.dataTag = dataTag
            self.copies = copies
            self.expression = expression
            self.lifetimeSeconds = lifetimeSeconds
        }

        /// The dataset the rule is made on.
        public func dataset(request: String) -> String {
            "\(request).\(level.rawValue)" + (dataTag.map { ".\($0)" } ?? "")
        }

        /// Whether an output belongs to it.
        public func covers(level: DataLevel, dataTag: String?) -> Bool {
            self.level == level && (self.dataTag == nil || self.dataTag == dataTag)
        }
    }

    public var name: String
    public var campaign: Campaign
    /// A frozen bucket's name, or nil when `runs` is given.
    public var bucket: String?
    /// `EXP:FIRST-LAST` when no bucket is named.
    public var runs: String?
    public var release: String
    public var input: Input
    public var outputs: [DataLevel]
    /// Highest priority first.
    public var globalTags: [String]
    public var stagingTag: String?
    public var promptTag: String?
    public var sites: [Site]
    public var calibrations: [Calibration]
    public var skims: [String]
    public var outputBase: String
    public var commands: Commands
    /// Input files per job.
    public var filesPerJob: Int
    /// Failed tries after which an input file is Problematic and left out.
    public var maxFileFailures: Int
    /// Seconds before a failed job is tried again (grows with the square of the tries).
    public var retryCooloff: Double
    /// Replication rules for the outputs; the request is done once they are all OK.
    public var outputRules: [OutputRule]
    /// Where output numbering starts in each folder: a run's express arrives in batches, each a
    /// request of its own, and each batch numbers on after the files before it.
    public var firstSequence: Int = 0
    /// HLT skims made from the all-events raw files first (express and unofficial requests): raw
    /// files of the skim's data tag, which the reconstruction then reads when the input selects them.
    public var hltSkims: [String] = []
    /// A stripping round's streams, each written from every input mDST by `commands.skim`.
    public var stripping: Stripping?
    /// An MC production (``MonteCarlo``): its jobs generate events instead of reading data.
    public var monteCarlo: MonteCarlo?
    /// Added to the workflow priority of every job step: requests of one pool run in this order.
    public var priority: Int = 0

    /// The streams of a stripping round (``StrippingRound``) as its request carries them: each
    /// stream's selections with their commands, so that a job needs nothing but its description.
    public struct Stripping: Codable, Sendable, Equatable {
        public struct Selection: Codable, Sendable, Equatable {
            public var name: String
            public var command: String
            public var prescale: Int

            public init(name: String, command: String, prescale: Int = 1) {
                self.name = name
                self.command = command
                self.prescale = prescale
            }
        }

        public struct Stream: Codable, Sendable, Equatable {
            public var name: String
            public var selections: [Selection]

            public init(name: String, selections: [Selection]) {
                self.name = name
                self.selections = selections
            }
        }

        public var round: String
        public var streams: [Stream]

        public init(round: String, streams: [Stream]) {
            self.round = round
            self.streams = streams
        }

        public func stream(named name: String?) -> Stream? { streams.first { $0.name == name } }
    }
}
