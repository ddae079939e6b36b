import Foundation

/// A group of consecutive good physics runs with enough data for calibration (DOMAIN.md).
public struct PlannedBucket: Sendable, Hashable, Codable {
    public let exp: Int
    public let firstRun: Int
    public let lastRun: Int
    public let runs: [Int]
    /// /pb.
    public let luminosity: Double
    public let start: Timestamp?
    public let stop: Timestamp?
    /// False for the last bucket of a plan when it has not reached the target yet.
    public let complete: Bool
}

/// Plans buckets: consecutive good physics runs are grouped until the luminosity target or the
/// time limit is reached. Runs that are not good physics runs are passed over without closing
/// the bucket.
public enum BucketPlanner {
    public static func plan(
        _ runs: [RegisteredRun], targetLuminosity: Double, maximumDays: Double? = nil, from start: ExpRun? = nil
    ) throws(ConveyorError) -> [PlannedBucket] {
        guard targetLuminosity > 0 else { throw .invalidInput("the luminosity target must be positive") }
        let candidates =
            runs
            .filter { candidate in candidate.quality == .good && candidate.record.type == .physics && start.map { candidate.record.run >= $0 } ?? true }
            .sorted { $0.record.run < $1.record.run }
        var buckets: [PlannedBucket] = []
        var current: [RunRecord] = []
        func close(complete: Bool) {
            guard let first = current.first, let last = current.last else { return }
            buckets.append(
                PlannedBucket(
                    exp: first.run.exp, firstRun: first.run.run, lastRun: last.run.run, runs: current.map(\.run.run),
                    luminosity: current.reduce(0) { $0 + $1.luminosity }, start: first.start,
                    stop: current.compactMap(\.stop).max(), complete: complete))
            current = []
        }
        for run in candidates.map(\.record) {
            if let first = current.first, first.run.exp != run.run.exp { close(complete: false) }
            if let maximumDays, let begin = current.first?.start, let end = run.stop ?? run.start,
                Double(end.microsecondsSinceEpoch - begin.microsecondsSinceEpoch) / 86_400_000_000 > maximumDays
            {
                close(complete: true)
            }
            current.append(run)
            if current.reduce(0, { $0 + $1.luminosity }) >= targetLuminosity { close(complete: true) }
        }
        close(complete: false)
        return buckets
    }

    /// Parses `2/fb`, `500/pb` or a plain number of /pb into /pb.
    public static func luminosity(parsing text: String) throws(ConveyorError) -> Double {
        let lower = text.lowercased().replacingOccurrences(of: " ", with: "")
        let (number, scale): (Substring, Double) =
            lower.hasSuffix("/fb") ? (lower.dropLast(3), 1000) : lower.hasSuffix("/pb") ? (lower.dropLast(3), 1) : (Substring(lower), 1)
        guard let value = Double(number), value > 0, value.isFinite else {
            throw .invalidInput("'\(text)' is not a luminosity (expected e.g. 2/fb or 500/pb)")
        }
        return value * scale
    }
}

/// A bucket frozen at creation: its runs, their luminosity and quality as they were then.
public struct Bucket: Sendable, Hashable, Codable {
    public struct Member: Sendable, Hashable, Codable {
        public let run: Int
        public let luminosity: Double
        public let qualityAtCreation: QualityFlag

        public init(run: Int, luminosity: Double, qualityAtCreation: QualityFlag) {
            self.run = run
            self.luminosity = luminosity
            self.qualityAtCreation = qualityAtCreation
        }
    }

    public let name: String
    public let exp: Int
    public let firstRun: Int
    public let lastRun: Int
    public let luminosity: Double
    public let members: [Member]
    public let createdAt: Timestamp
    public let createdBy: String

    public init(name: String, exp: Int, firstRun: Int, lastRun: Int, luminosity: Double, members: [Member], createdAt: Timestamp, createdBy: String) {
        self.name = name
        self.exp = exp
        self.firstRun = firstRun
        self.lastRun = lastRun
        self.luminosity = luminosity
        self.members = members
        self.createdAt = createdAt
        self.createdBy = createdBy
    }

    /// What changed in the registry since the bucket was frozen; the bucket itself never changes.
    public func warnings(current: [Int: QualityFlag]) -> [String] {
        var out: [String] = []
        for member in members {
            let now = current[member.run] ?? .unknown
            if now != member.qualityAtCreation {
                out.append("run \(exp):\(member.run) is \(now) now; it was \(member.qualityAtCreation) when the bucket was created")
            }
        }
        let inside = Set(members.map(\.run))
        for (run, flag) in current.sorted(by: { $0.key < $1.key }) where flag == .good && !inside.contains(run) && (firstRun...lastRun).contains(run) {
            out.append("run \(exp):\(run) in the bucket's range is GOOD now but not in the bucket")
        }
        return out
    }
}
