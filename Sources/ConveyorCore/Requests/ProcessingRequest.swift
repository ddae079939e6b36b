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
    }

    public struct Site: Codable, Sendable, Equatable {
        public var name: String
        public var pool: String
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
}
