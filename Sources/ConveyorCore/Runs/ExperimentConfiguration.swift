/// What Conveyor knows about one experiment number: its name and the detectors its runs are
/// flagged for. Experiments without a configuration use Belle II's detectors.
///
/// ```swift
/// let exp12 = try ExperimentConfiguration(exp: 12, name: "cosmics 2026", detectors: ["CDC", "KLM"])
/// try await registry.configure(exp12, by: manager)
/// ```
public struct ExperimentConfiguration: Sendable, Codable, Equatable {
    public let exp: Int
    public let name: String
    public let detectors: [String]

    public init(exp: Int, name: String, detectors: [String]) throws(ConveyorError) {
        guard exp >= 0 else { throw .invalidInput("experiment must be 0 or more, not \(exp)") }
        let name = name.trimmingCharacters(in: .whitespaces)
        guard name.count <= 120 else { throw .invalidInput("an experiment name is at most 120 characters") }
        let detectors = detectors.map { $0.trimmingCharacters(in: .whitespaces) }
        guard !detectors.isEmpty else { throw .invalidInput("an experiment needs at least one detector") }
        var seen = Set<String>()
        for detector in detectors {
            guard !detector.isEmpty, detector.count <= 32, detector.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
                throw .invalidInput("detector name '\(detector)' must be 1–32 letters, digits, '_' or '-'")
            }
            guard seen.insert(detector.uppercased()).inserted else { throw .invalidInput("detector \(detector) is listed twice") }
        }
        self.exp = exp
        self.name = name
        self.detectors = detectors
    }

    /// The configuration an experiment has until someone sets one.
    public static func standard(exp: Int) -> ExperimentConfiguration {
        // Belle II's list is valid by construction; the number is whatever was asked about
        // (a negative one matches no run), so nothing here may trap on it.
        ExperimentConfiguration(unchecked: exp, name: "", detectors: Detectors.belleII)
    }

    private init(unchecked exp: Int, name: String, detectors: [String]) {
        self.exp = exp
        self.name = name
        self.detectors = detectors
    }

    /// The configured spelling of a detector name given in any case.
    public func canonicalDetector(_ name: String) throws(ConveyorError) -> String {
        guard let match = detectors.first(where: { $0.caseInsensitiveCompare(name) == .orderedSame }) else {
            throw .invalidInput("unknown detector '\(name)' for experiment \(exp) (expected one of: \(detectors.joined(separator: ", ")))")
        }
        return match
    }

    enum CodingKeys: String, CodingKey { case exp, name, detectors }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            exp: try container.decode(Int.self, forKey: .exp), name: try container.decodeIfPresent(String.self, forKey: .name) ?? "",
            detectors: try container.decode([String].self, forKey: .detectors))
    }
}
