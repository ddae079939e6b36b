import ConveyorCore
import ConveyorStore
import Foundation

extension QualityMonitoring {
    /// A run's monitoring in one processing: every variable, its reference and comparison, and the proposals.
    public struct RunMonitoring: Codable, Sendable {
        public struct Entry: Codable, Sendable {
            public var value: MonitoringValue
            public var reference: MonitoringReference?
            public var comparison: VariableComparison
        }

        public var run: ExpRun
        /// The processings the run has values of; `processing` is the one shown.
        public var processings: [String]
        public var processing: String?
        public var entries: [Entry]
        public var proposals: [QualityProposal]
        public var quality: RunQuality
    }

    /// A run's monitoring in `processing` (the newest processing it has when nil).
    public func show(_ run: ExpRun, processing: String? = nil) async throws(ConveyorError) -> RunMonitoring {
        try await store.read { session in
            guard try await session.run(run) != nil else { throw ConveyorError.notFound("no run \(run) is registered") }
            let processings = try await session.monitoringProcessings(of: run)
            if let processing, !processings.contains(processing) {
                throw ConveyorError.notFound(
                    "run \(run) has no monitoring in \(processing)\(processings.isEmpty ? "" : " (it has \(processings.joined(separator: ", ")))")")
            }
            let shown = processing ?? processings.last
            var values: [MonitoringValue] = []
            if let shown { values = try await session.monitoringValues(of: run, processing: shown) }
            let references = try await session.monitoringReferencesInForce(at: run)
            let detectors = (try await session.experiment(run.exp) ?? .standard(exp: run.exp)).detectors
            let entries = values.map { value in
                RunMonitoring.Entry(
                    value: value, reference: references[value.variable],
                    comparison: MonitoringEvaluation.compare(value, with: references[value.variable], detectors: detectors))
            }
            return RunMonitoring(
                run: run, processings: processings, processing: shown, entries: entries, proposals: try await session.proposals(run: run),
                quality: RunQuality(replaying: try await session.qualityEvents(of: run)))
        }
    }

    /// A variable across runs: the MiraBelle view.
    public struct Trend: Codable, Sendable {
        public struct Point: Codable, Sendable, Equatable {
            public var run: Int
            /// The scalar, or the histogram's mean.
            public var value: Double
            public var error: Double?
            public var verdict: QualityComparison.Verdict
            /// Whether the run is flagged BAD (summary, or the variable's detector).
            public var flaggedBad: Bool
        }

        /// A reference's band over the runs it covers: its value, and the warning thresholds around it for a shift test.
        public struct Band: Codable, Sendable, Equatable {
            public var firstRun: Int
            public var lastRun: Int
            public var value: Double
            public var low: Double?
            public var high: Double?
            public var test: String
        }

        public var variable: String
        public var processing: String
        public var exp: Int
        public var detector: String?
        public var points: [Point]
        public var bands: [Band]
    }

    /// The most runs one trend covers.
    public static let largestTrend = 100_000

    /// `variable`'s newest value per run over `runs` in `processing`, with the reference bands
    /// and the runs flagged bad.
    public func trend(of variable: String, processing: String, exp: Int, runs: ClosedRange<Int>) async throws(ConveyorError) -> Trend {
        guard runs.count <= Self.largestTrend else { throw .invalidInput("a trend covers at most \(Self.largestTrend) runs; narrow --runs") }
        return try await store.read { session in
            let values = try await session.monitoringTrendPoints(of: variable, processing: processing, exp: exp, runs: runs)
            let references = try await session.monitoringReferences(of: variable, exp: exp, overlapping: runs)
            let detectors = (try await session.experiment(exp) ?? .standard(exp: exp)).detectors
            let detector = MonitoringEvaluation.detector(of: variable, among: detectors)
            let bad = try await session.badRuns(exp: exp, runs: runs, detector: detector)
            var points: [Trend.Point] = []
            points.reserveCapacity(values.count)
            // The verdicts are those of each value's last comparison: every import and every new
            // reference compares again, so they are the reference in force's.
            for value in values {
                guard let y = value.value else { continue }
                let verdict = value.verdict.flatMap(QualityComparison.Verdict.init(rawValue:)) ?? .not_comparable
                points.append(Trend.Point(run: value.run, value: y, error: value.error, verdict: verdict, flaggedBad: bad.contains(value.run)))
            }
            let bands = references.reversed().compactMap { reference -> Trend.Band? in
                guard let centre = reference.value ?? reference.histogram?.mean?.value else { return nil }
                let (warning, _) = reference.comparison.thresholds
                let (low, high): (Double?, Double?) =
                    switch reference.comparison {
                    case .absoluteShift: (centre - warning, centre + warning)
                    case .relativeShift: (centre - abs(centre) * warning, centre + abs(centre) * warning)
                    case .kolmogorov, .chi2PerNDF: (nil, nil)
                    }
                return Trend.Band(
                    firstRun: max(reference.firstRun, runs.lowerBound), lastRun: min(reference.lastRun, runs.upperBound), value: centre, low: low, high: high,
                    test: reference.comparison.description)
            }
            return Trend(variable: variable, processing: processing, exp: exp, detector: detector, points: points, bands: bands)
        }
    }

    /// A value in one number with its error: the scalar, or a histogram's mean.
    static func summary(of value: MonitoringValue) -> (Double, Double?)? {
        if let scalar = value.value { return (scalar, value.error) }
        return value.histogram?.mean.map { ($0.value, $0.error) }
    }

    /// Two processings of the same runs side by side (prompt against proc12).
    public struct ProcessingComparison: Codable, Sendable {
        public struct Row: Codable, Sendable, Equatable {
            public var run: Int
            public var variable: String
            public var first: Double?
            public var second: Double?
            /// second − first, where both have a value.
            public var difference: Double?
            /// For histograms of one binning: χ²/ndf of the two shapes.
            public var chi2PerNDF: Double?
        }

        public var exp: Int
        public var processings: [String]
        public var rows: [Row]
    }

    /// Every variable of every run of `runs` in two processings, with their difference.
    public func compare(_ first: String, _ second: String, exp: Int, runs: ClosedRange<Int>) async throws(ConveyorError) -> ProcessingComparison {
        guard first != second else { throw .invalidInput("compare two different processings (--processing A,B)") }
        guard runs.count <= 10_000 else { throw .invalidInput("a comparison covers at most 10000 runs; narrow --runs") }
        return try await store.read { session in
            let a = try await session.monitoringValues(exp: exp, runs: runs, processing: first)
            let b = try await session.monitoringValues(exp: exp, runs: runs, processing: second)
            var byKey: [String: (MonitoringValue?, MonitoringValue?)] = [:]
            for value in a { byKey["\(value.run.run) \(value.variable)", default: (nil, nil)].0 = value }
            for value in b { byKey["\(value.run.run) \(value.variable)", default: (nil, nil)].1 = value }
            let rows = byKey.values.compactMap { pair -> ProcessingComparison.Row? in
                guard let any = pair.0 ?? pair.1 else { return nil }
                let x = pair.0.flatMap(Self.summary(of:))?.0
                let y = pair.1.flatMap(Self.summary(of:))?.0
                var chi2: Double?
                if let h1 = pair.0?.histogram, let h2 = pair.1?.histogram, h1.hasSameBinning(as: h2) {
                    chi2 = QualityComparison.chi2PerNDF(h1.contents, h2.contents)
                }
                return ProcessingComparison.Row(
                    run: any.run.run, variable: any.variable, first: x, second: y, difference: x.flatMap { x in y.map { $0 - x } }, chi2PerNDF: chi2)
            }
            return ProcessingComparison(exp: exp, processings: [first, second], rows: rows.sorted { ($0.run, $0.variable) < ($1.run, $1.variable) })
        }
    }
}

extension QualityMonitoring {
    /// A histogram variable summed over a set of runs, per processing (the processings that have
    /// it in one binning): a request's mass peak before calibration (express) and after (prompt).
    public func summed(
        _ variable: String, processings: [String], runs: Set<ExpRun>
    ) async throws(ConveyorError) -> [(
        processing: String, histogram: MonitoringHistogram, runs: Int
    )] {
        guard let first = runs.min(), let last = runs.max() else { return [] }
        return try await store.read { session in
            var out: [(String, MonitoringHistogram, Int)] = []
            for processing in processings {
                var sum: MonitoringHistogram?
                var counted = 0
                for exp in first.exp...last.exp {
                    let range = (exp == first.exp ? first.run : 0)...(exp == last.exp ? last.run : Int(Int32.max))
                    for value in try await session.monitoringTrend(of: variable, processing: processing, exp: exp, runs: range)
                    where runs.contains(value.run) {
                        guard let h = value.histogram, !h.isTwoDimensional else { continue }
                        if var total = sum {
                            guard total.hasSameBinning(as: h), total.contents.count == h.contents.count else { continue }
                            for i in total.contents.indices { total.contents[i] += h.contents[i] }
                            total.entries += h.entries
                            total.underflow += h.underflow
                            total.overflow += h.overflow
                            sum = total
                        } else {
                            sum = h
                        }
                        counted += 1
                    }
                }
                if let sum { out.append((processing, sum, counted)) }
            }
            return out
        }
    }
}
