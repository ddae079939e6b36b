/// An official MC campaign (seed 001: MC7 … MC12): one release and global-tag stack for all its
/// samples, the data tag of the beam-background overlay files it uses, the detector period it
/// simulates, and the LPN base under which its samples are written,
/// `/belle/MC/<release>/DB<gt-id>/<campaign>/` (seed 001, "MC12 samples").
///
/// ```swift
/// let mc12 = try MonteCarloCampaign(name: "MC12", release: "release-03-00-00", globalTags: ["mc_base"],
///                                   program: "basf2 generate.py", sites: [.init(name: "KEKCC", pool: "kekcc")], exp: 1003)
/// mc12.lpnBase(globalTagID: 487)   // "/belle/MC/release-03-00-00/DB00000487/MC12"
/// ```
public struct MonteCarloCampaign: Codable, Sendable, Equatable {
    /// Whether the campaign takes requests.
    public enum Status: String, Codable, Sendable, CaseIterable, NamedValueSet {
        public static let valueKind = "campaign status"
        public static let isUppercase = false
        /// Requests are filed and produced.
        case open
        /// Finished: no new requests; existing samples stay.
        case closed
    }

    public var name: String
    public var release: String
    /// Highest priority first; run-dependent samples read each run's own stack instead.
    public var globalTags: [String]
    /// The experiment's generation program (event generation, simulation, reconstruction to
    /// mDST), run with `CONVEYOR_EVENT_TYPE`, `CONVEYOR_EVENTS`, `CONVEYOR_SEED` and `CONVEYOR_BACKGROUND`.
    public var program: String
    /// Where its jobs run; with background, each job goes to the first site holding its
    /// random-trigger file on disk.
    public var sites: [ProcessingRequest.Site]
    /// The data tag of a run's random-trigger files that beam background is overlaid from.
    public var backgroundTag: String
    /// The experiment whose geometry run-independent samples simulate (Belle II's e1003, e0).
    public var exp: Int
    /// The beam energy folder of the paths (`4S`).
    public var energy: String
    /// The top of the paths (`/belle/MC`).
    public var base: String
    public var status: Status
    public var description: String
    public var createdAt: Timestamp
    public var createdBy: String

    public init(
        name: String, release: String, globalTags: [String], program: String, sites: [ProcessingRequest.Site], backgroundTag: String = "hlt_random",
        exp: Int = 0, energy: String = "4S",
        base: String = "/belle/MC", status: Status = .open, description: String = "", createdAt: Timestamp = .now, createdBy: String = ""
    ) throws(ConveyorError) {
        self.name = name
        self.release = release
        self.globalTags = globalTags
        self.program = program
        self.sites = sites
        self.backgroundTag = backgroundTag
        self.exp = exp
        self.energy = energy
        self.base = base
        self.status = status
        self.description = description
        self.createdAt = createdAt
        self.createdBy = createdBy
        try validate()
    }

    /// Refuses values no campaign can have, naming the field.
    public func validate() throws(ConveyorError) {
        try Self.validateWord(name, "campaign name")
        try Self.validateWord(release, "release")
        try Self.validateWord(backgroundTag, "background tag")
        try Self.validateWord(energy, "energy")
        guard !globalTags.isEmpty else { throw .invalidInput("campaign \(name) needs at least one global tag") }
        for tag in globalTags { try Self.validateWord(tag, "global tag") }
        guard !program.trimmingCharacters(in: .whitespaces).isEmpty, program.count <= 1_000 else {
            throw .invalidInput("campaign \(name) needs its generation program (a command of at most 1000 characters)")
        }
        guard !sites.isEmpty else { throw .invalidInput("campaign \(name) needs at least one site (NAME:POOL)") }
        for site in sites {
            try Self.validateWord(site.name, "site")
            try Self.validateWord(site.pool, "pool")
        }
        guard Set(sites.map(\.name)).count == sites.count else { throw .invalidInput("campaign \(name) lists a site twice") }
        guard (0...9_999).contains(exp) else { throw .invalidInput("campaign \(name): the experiment is 0 to 9999, not \(exp)") }
        guard base.hasPrefix("/"), !base.contains(".."), base.count <= 200 else {
            throw .invalidInput("campaign \(name): the LPN base is an absolute path without '..', not '\(base)'")
        }
    }

    /// `/belle/MC/<release>/DB<gt-id>/<campaign>`: the id is the first tag's of the stack.
    public func lpnBase(globalTagID: Int64) -> String {
        let trimmed = base.hasSuffix("/") ? String(base.dropLast()) : base
        return "\(trimmed)/\(release)/DB\(OutputPath.padded(globalTagID, 8))/\(name)"
    }

    /// Names, releases, tags and event types: letters, digits, `-`, `_`, `.`; 1–64 characters.
    public static func validateWord(_ text: String, _ what: String) throws(ConveyorError) {
        guard !text.isEmpty, text.count <= 64, text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            throw .invalidInput("a \(what) is 1–64 letters, digits, '-', '_' or '.', not '\(text.prefix(80))'")
        }
    }
}
