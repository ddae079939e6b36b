/// Which runs `runs list`, the REST API and the runs page select. Every field narrows the list.
public struct RunQuery: Sendable, Hashable, Codable {
    public var exp: Int?
    public var runRange: ClosedRange<Int>?
    public var type: RunType?
    public var energy: String?
    public var magnet: Bool?
    public var minimumDurationSeconds: Int64?
    /// In /pb.
    public var minimumLuminosity: Double?
    public var quality: QualityFlag?
    public var limit: Int?

    public init(
        exp: Int? = nil, runRange: ClosedRange<Int>? = nil, type: RunType? = nil, energy: String? = nil, magnet: Bool? = nil,
        minimumDurationSeconds: Int64? = nil, minimumLuminosity: Double? = nil, quality: QualityFlag? = nil, limit: Int? = nil
    ) {
        self.exp = exp
        self.runRange = runRange
        self.type = type
        self.energy = energy
        self.magnet = magnet
        self.minimumDurationSeconds = minimumDurationSeconds
        self.minimumLuminosity = minimumLuminosity
        self.quality = quality
        self.limit = limit
    }
}

extension RunQuery {
    /// Builds a query from the text a user types (CLI options, query parameters): `runs` as
    /// `FIRST-LAST`, `magnet` as `on|off`, durations in minutes, luminosity in /pb.
    public init(
        exp: Int?, runs: String?, type: String?, energy: String?, magnet: String?,
        minimumDurationMinutes: Int64?, minimumLuminosity: Double?, quality: String?
    ) throws(ConveyorError) {
        self.init(exp: exp, energy: energy, minimumLuminosity: minimumLuminosity)
        if let runs { runRange = try Self.runRange(parsing: runs) }
        if let type { self.type = try RunType(parsing: type) }
        if let magnet { self.magnet = try RunRecord.magnet(parsing: magnet) }
        if let minutes = minimumDurationMinutes {
            guard (0...100_000_000).contains(minutes) else { throw .invalidInput("a minimum duration of \(minutes) minutes is out of range (0 to 100000000)") }
            minimumDurationSeconds = minutes * 60
        }
        if let quality { self.quality = try QualityFlag(parsing: quality) }
    }
}

extension RunQuery {
    /// `FIRST-LAST` as a run range.
    public static func runRange(parsing text: String) throws(ConveyorError) -> ClosedRange<Int> {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count == 2, let first = parts[0], let last = parts[1], first >= 0, first <= last else {
            throw .invalidInput("'\(text)' is not a run range (expected FIRST-LAST, e.g. 100-250)")
        }
        return first...last
    }
}

/// A run with its current summary quality.
public struct RegisteredRun: Sendable, Hashable, Codable {
    public let record: RunRecord
    public let quality: QualityFlag

    public init(record: RunRecord, quality: QualityFlag) {
        self.record = record
        self.quality = quality
    }
}

/// The sums under a run list.
public struct RunTotals: Sendable, Hashable, Codable {
    public let runs: Int
    public let events: Int64
    public let luminosityPerPicobarn: Double
    public var luminosityPerFemtobarn: Double { luminosityPerPicobarn / 1000 }

    enum CodingKeys: String, CodingKey { case runs, events, luminosityPerPicobarn, luminosityPerFemtobarn }

    public init(runs: Int, events: Int64, luminosityPerPicobarn: Double) {
        self.runs = runs
        self.events = events
        self.luminosityPerPicobarn = luminosityPerPicobarn
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        runs = try c.decode(Int.self, forKey: .runs)
        events = try c.decode(Int64.self, forKey: .events)
        luminosityPerPicobarn = try c.decode(Double.self, forKey: .luminosityPerPicobarn)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(runs, forKey: .runs)
        try c.encode(events, forKey: .events)
        try c.encode(luminosityPerPicobarn, forKey: .luminosityPerPicobarn)
        try c.encode(luminosityPerFemtobarn, forKey: .luminosityPerFemtobarn)
    }
}

/// One change to a run's recorded values (from an import or an edit).
public struct RunChange: Sendable, Hashable, Codable {
    public let run: ExpRun
    public let field: String
    public let oldValue: String?
    public let newValue: String?
    public let actor: String
    public let at: Timestamp

    public init(run: ExpRun, field: String, oldValue: String?, newValue: String?, actor: String, at: Timestamp) {
        self.run = run
        self.field = field
        self.oldValue = oldValue
        self.newValue = newValue
        self.actor = actor
        self.at = at
    }
}
