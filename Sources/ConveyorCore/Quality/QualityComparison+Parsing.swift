extension QualityComparison: CustomStringConvertible {
    /// `ks`, `chi2`, `rel` or `abs`: the test's short name.
    public var testName: String {
        switch self {
        case .kolmogorov: "ks"
        case .chi2PerNDF: "chi2"
        case .relativeShift: "rel"
        case .absoluteShift: "abs"
        }
    }

    public var thresholds: (warning: Double, bad: Double) {
        switch self {
        case .kolmogorov(let w, let b), .chi2PerNDF(let w, let b), .relativeShift(let w, let b), .absoluteShift(let w, let b): (w, b)
        }
    }

    /// Whether it compares histograms (else scalars).
    public var comparesHistograms: Bool {
        switch self {
        case .kolmogorov, .chi2PerNDF: true
        case .relativeShift, .absoluteShift: false
        }
    }

    /// `ks:0.05,0.001`: the form the CLI and the API take and show.
    public var description: String { "\(testName):\(Self.number(thresholds.warning)),\(Self.number(thresholds.bad))" }

    /// Reads `ks:WARNING,BAD`, `chi2:WARNING,BAD`, `rel:WARNING,BAD` or `abs:WARNING,BAD`.
    ///
    /// ```swift
    /// try QualityComparison(parsing: "chi2:2,5")   // .chi2PerNDF(warning: 2, bad: 5)
    /// ```
    public init(parsing text: String) throws(ConveyorError) {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        let numbers = parts.count == 2 ? parts[1].split(separator: ",", omittingEmptySubsequences: false).compactMap { Double($0) } : []
        guard parts.count == 2, numbers.count == 2 else {
            throw .invalidInput("'\(text)' is not a test: give ks:WARNING,BAD, chi2:WARNING,BAD, rel:WARNING,BAD or abs:WARNING,BAD")
        }
        switch parts[0].lowercased() {
        case "ks": self = .kolmogorov(warning: numbers[0], bad: numbers[1])
        case "chi2": self = .chi2PerNDF(warning: numbers[0], bad: numbers[1])
        case "rel": self = .relativeShift(warning: numbers[0], bad: numbers[1])
        case "abs": self = .absoluteShift(warning: numbers[0], bad: numbers[1])
        default: throw .invalidInput("unknown test '\(parts[0])' (expected ks, chi2, rel or abs)")
        }
        try validate()
    }

    /// Thresholds finite and in order: a KS probability's bad below its warning, within 0…1; a
    /// χ²/ndf's or a shift's bad above its warning, both ≥ 0.
    public func validate() throws(ConveyorError) {
        let (warning, bad) = thresholds
        guard warning.isFinite, bad.isFinite, warning >= 0, bad >= 0 else { throw .invalidInput("\(description): thresholds must be finite numbers ≥ 0") }
        switch self {
        case .kolmogorov:
            guard warning <= 1, bad <= warning else { throw .invalidInput("\(description): a KS test needs 0 ≤ BAD ≤ WARNING ≤ 1 (probabilities)") }
        case .chi2PerNDF, .relativeShift, .absoluteShift:
            guard warning <= bad else { throw .invalidInput("\(description): needs WARNING ≤ BAD") }
        }
    }

    /// Encoded in its text form, `ks:0.05,0.001`, as the CLI and the API take it.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { self = try QualityComparison(parsing: text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    static func number(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
    }
}
