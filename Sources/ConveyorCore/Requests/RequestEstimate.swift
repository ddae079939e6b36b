/// How long a request takes: CPU-hours per step from its cost per /fb and the luminosity, and
/// days for each number of job slots, like seed 000's table ("with 400/1000/1500/2000 job slots:
/// 1.2 / 0.5 / 0.3 / 0.23 day per /fb"), plus the critical path through the plan.
///
/// ```swift
/// let estimate = RequestEstimate(plan: RequestPlan(request), luminosity: 6_400, slots: [400, 1000])
/// estimate.criticalPathDays[1000]   // days on 1,000 slots along the longest chain of steps
/// ```
public struct RequestEstimate: Sendable, Codable, Equatable {
    public struct Line: Sendable, Codable, Equatable {
        public let step: String
        public let cpuHours: Double
        /// Days per slot count (as text keys, for JSON).
        public let days: [String: Double]
    }

    /// Luminosity in /pb.
    public let luminosity: Double
    public let slots: [Int]
    public let lines: [Line]
    public let totalCPUHours: Double
    /// The steps of the longest path (by days), and its days per slot count.
    public let criticalPath: [String]
    public let criticalPathDays: [String: Double]

    /// Slot counts as people write them, `400,1000,1500`: positive, at most 10,000,000, each once.
    ///
    /// ```swift
    /// try RequestEstimate.slotCounts(parsing: "400, 1000")   // [400, 1000]
    /// try RequestEstimate.slotCounts(parsing: "400,400")     // throws: slot count 400 is given twice
    /// ```
    public static func slotCounts(parsing text: String) throws(ConveyorError) -> [Int] {
        var counts: [Int] = []
        for piece in text.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = piece.trimmingCharacters(in: .whitespaces)
            guard let count = Int(trimmed), count > 0, count <= 10_000_000 else {
                throw .invalidInput("slots takes positive whole numbers up to 10000000, e.g. 400,1000 ('\(trimmed)' is not one)")
            }
            guard !counts.contains(count) else { throw .invalidInput("slot count \(count) is given twice") }
            counts.append(count)
        }
        return counts
    }

    public init(plan: RequestPlan, luminosity: Double, slots: [Int]) {
        self.luminosity = luminosity
        self.slots = slots
        let inverseFemtobarn = luminosity / 1_000
        var lines: [Line] = []
        var hours: [String: Double] = [:]
        for step in plan.steps {
            let h = step.cpuHoursPerInverseFemtobarn * inverseFemtobarn
            hours[step.name] = h
            lines.append(
                Line(step: step.name, cpuHours: h, days: Dictionary(slots.map { (String($0), h / Double($0) / 24) }, uniquingKeysWith: { first, _ in first })))
        }
        self.lines = lines
        totalCPUHours = hours.values.reduce(0, +)
        // Longest path by CPU-hours (days scale alike for every slot count).
        var best: [String: (hours: Double, path: [String])] = [:]
        for step in plan.steps {
            let before = step.dependsOn.compactMap { best[$0] }.max { $0.hours < $1.hours } ?? (0, [])
            best[step.name] = (before.hours + (hours[step.name] ?? 0), before.path + [step.name])
        }
        let longest = best.values.max { $0.hours < $1.hours } ?? (0, [])
        criticalPath = longest.path
        criticalPathDays = Dictionary(slots.map { (String($0), longest.hours / Double($0) / 24) }, uniquingKeysWith: { first, _ in first })
    }
}
