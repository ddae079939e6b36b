import ConveyorCore

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

    public init(exp: Int? = nil, runRange: ClosedRange<Int>? = nil, type: RunType? = nil, energy: String? = nil, magnet: Bool? = nil,
                minimumDurationSeconds: Int64? = nil, minimumLuminosity: Double? = nil, quality: QualityFlag? = nil, limit: Int? = nil) {
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

/// A run with its current summary quality.
public struct RegisteredRun: Sendable, Hashable, Codable {
    public let record: RunRecord
    public let quality: QualityFlag
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
}
