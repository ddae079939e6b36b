import ConveyorCore
import Foundation
import Testing

/// Monitoring files, references and the rules that turn comparisons into proposed flags.
@Suite("Monitoring evaluation")
struct MonitoringEvaluationTests {
    static let run = ExpRun(exp: 8, run: 3)
    static let detectors = ["CDC", "ECL"]

    static func value(_ variable: String, _ contents: [Double]? = nil, scalar: Double? = nil) throws -> MonitoringValue {
        let histogram = try contents.map {
            try MonitoringHistogram(
                name: variable, x: .init(bins: $0.count, low: 0.5, high: Double($0.count) + 0.5), contents: $0, entries: Int($0.reduce(0, +)))
        }
        return MonitoringValue(run: run, processing: "express", variable: variable, version: 1, histogram: histogram, value: scalar, at: .now, by: "dqm")
    }

    static func reference(_ value: MonitoringValue, _ test: String, id: Int64 = 1) throws -> MonitoringReference {
        MonitoringReference(
            id: id, variable: value.variable, exp: 8, runs: 1...100, histogram: value.histogram, value: value.value,
            comparison: try QualityComparison(parsing: test), reason: "run 1", at: .now, by: "cdc-expert")
    }

    @Test func aDetectorsFailedVariablesBecomeOneProposalAndNothingElseProposes() throws {
        let good = [1000.0, 1000, 1000, 1000, 1000, 1000, 1000, 1000]
        let tripped = [1000.0, 1000, 1000, 300, 1000, 1000, 1000, 1000]
        let hitMap = try Self.value("cdc/hit_map", tripped)
        let occupancy = try Self.value("ecl/occupancy", good)
        let mass = try Self.value("physics/mass_mean", scalar: 3.25)
        let unreferenced = try Self.value("cdc/drift_time", good)
        let references = [
            "cdc/hit_map": try Self.reference(try Self.value("cdc/hit_map", good), "ks:0.01,0.0001"),
            "ecl/occupancy": try Self.reference(try Self.value("ecl/occupancy", good), "chi2:3,8", id: 2),
            "physics/mass_mean": try Self.reference(try Self.value("physics/mass_mean", scalar: 3.097), "abs:0.03,0.06", id: 3),
        ]
        let comparisons = MonitoringEvaluation.compare([hitMap, occupancy, mass, unreferenced], references: references, detectors: Self.detectors)
        #expect(comparisons.map(\.verdict) == [.bad, .ok, .bad, .not_comparable])
        #expect(comparisons[3].reason == "no reference for cdc/drift_time at run 8:3")
        #expect(comparisons.map(\.detector) == ["CDC", "ECL", nil, "CDC"])
        let proposals = MonitoringEvaluation.proposals(comparisons)
        // The mass is off (bad) but names no detector: no proposal from it, and none from a variable without a reference.
        #expect(Array(proposals.keys) == ["CDC"])
        #expect(proposals["CDC"]?.hasPrefix("cdc/hit_map: KS probability") == true, "\(proposals)")
    }

    @Test func mismatchedOrWrongKindReferencesAreNotComparableAndProposeNothing() throws {
        let value = try Self.value("cdc/hit_map", [10, 10, 10, 10])
        let otherBinning = try Self.reference(try Self.value("cdc/hit_map", [10, 10, 10]), "ks:0.01,0.0001")
        let scalarReference = MonitoringReference(
            variable: "cdc/hit_map", exp: 8, runs: 1...100, value: 4, comparison: .absoluteShift(warning: 1, bad: 2), reason: "x", at: .now, by: "e")
        for reference in [otherBinning, scalarReference] {
            let compared = MonitoringEvaluation.compare(value, with: reference, detectors: Self.detectors)
            #expect(compared.verdict == .not_comparable, "\(compared)")
            #expect(MonitoringEvaluation.proposals([compared]).isEmpty)
        }
        #expect(
            MonitoringEvaluation.compare(value, with: otherBinning, detectors: Self.detectors).reason
                == "binning differs from the reference (4 bins 0.5…4.5 against 3 bins 0.5…3.5)")
    }

    @Test func variablesBelongToTheDetectorTheirNameStartsWith() {
        #expect(MonitoringEvaluation.detector(of: "cdc/hit_map", among: Self.detectors) == "CDC")
        #expect(MonitoringEvaluation.detector(of: "Ecl/x", among: Self.detectors) == "ECL")
        #expect(MonitoringEvaluation.detector(of: "klm/x", among: Self.detectors) == nil)
        #expect(MonitoringEvaluation.detector(of: "cdc", among: Self.detectors) == nil)
    }

    @Test func aMonitoringFileIsReadWholeOrRefusedWithOneLine() throws {
        let good = #"""
            {"run": {"exp": 8, "run": 3}, "processing": "express",
             "histograms": [{"name": "cdc/hit_map", "x": {"bins": 2, "low": 0, "high": 2}, "contents": [5, 6], "entries": 11}],
             "scalars": [{"name": "physics/mass_mean", "value": 3.1, "error": 0.01}]}
            """#
        let file = try MonitoringFile(json: Data(good.utf8), file: "m.json")
        let values = try file.values(processing: nil, version: 2, at: .now, by: "dqm")
        #expect(values.map(\.variable) == ["cdc/hit_map", "physics/mass_mean"] && values.allSatisfy { $0.version == 2 && $0.processing == "express" })
        #expect(try file.values(processing: "prompt", version: 1, at: .now, by: "dqm").allSatisfy { $0.processing == "prompt" })

        for (text, words) in [
            ("[1, 2]", "m.json: not a monitoring file"),
            (#"{"processing": "express"}"#, "run is missing"),
            (#"{"run": {"exp": 8, "run": 3}}"#, "names no processing"),
            (#"{"run": {"exp": 8, "run": 3}, "processing": "express", "scalars": []}"#, "holds no histogram and no scalar"),
            (
                #"{"run": {"exp": 8, "run": 3}, "processing": "express", "histograms": [{"name": "a/b", "x": {"bins": 3, "low": 0, "high": 1}, "contents": [1], "entries": 1}]}"#,
                "3 bins but 1 contents"
            ),
            (
                #"{"run": {"exp": 8, "run": 3}, "processing": "express", "scalars": [{"name": "a/b", "value": 1}, {"name": "a/b", "value": 2}]}"#,
                "variable a/b is given twice"
            ),
            (#"{"run": {"exp": 8, "run": 3}, "processing": "no such", "scalars": [{"name": "a/b", "value": 1}]}"#, "is not a processing"),
            (#"{"run": {"exp": 8, "run": 3}, "processing": "express", "scalars": [{"name": "a/b", "value": 1e999}]}"#, "not a monitoring file"),
        ] {
            do {
                let parsed = try MonitoringFile(json: Data(text.utf8), file: "m.json")
                _ = try parsed.values(processing: nil, version: 1, at: .now, by: "dqm")
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.message.contains(words) && !error.message.contains("\n"), "\(text): \(error.message)")
            }
        }
    }

    @Test func testsAndReferencesAreCheckedBeforeTheyAreStored() throws {
        #expect(try QualityComparison(parsing: "chi2:2,5") == .chi2PerNDF(warning: 2, bad: 5))
        #expect(try QualityComparison(parsing: "ks:0.05,0.001").description == "ks:0.05,0.001")
        for (text, words) in [
            ("ks:0.001,0.05", "0 ≤ BAD ≤ WARNING ≤ 1"), ("chi2:5,2", "WARNING ≤ BAD"), ("rel:-1,2", "≥ 0"), ("mean:1,2", "unknown test"),
            ("ks", "is not a test"),
        ] {
            #expect(throws: ConveyorError.self, "\(text)") { try QualityComparison(parsing: text) }
            do { _ = try QualityComparison(parsing: text) } catch { #expect(error.message.contains(words), "\(text): \(error.message)") }
        }
        let histogramTest = MonitoringReference(
            variable: "cdc/hit_map", exp: 8, runs: 1...10, value: 3, comparison: .kolmogorov(warning: 0.01, bad: 0.001), reason: "r", at: .now, by: "e")
        #expect(throws: ConveyorError.invalidInput("cdc/hit_map: a ks test compares with a reference histogram (give a run to take it from)")) {
            try histogramTest.validate()
        }
        let zero = MonitoringReference(
            variable: "x/y", exp: 8, runs: 1...10, value: 0, comparison: .relativeShift(warning: 0.1, bad: 0.2), reason: "r", at: .now, by: "e")
        #expect(throws: ConveyorError.self) { try zero.validate() }
        let noReason = MonitoringReference(
            variable: "x/y", exp: 8, runs: 1...10, value: 1, comparison: .absoluteShift(warning: 0.1, bad: 0.2), reason: " ", at: .now, by: "e")
        #expect(throws: ConveyorError.self) { try noReason.validate() }
    }

    @Test func aHistogramsMeanIsItsTrendValue() throws {
        let h = try MonitoringHistogram(name: "a/b", x: .init(bins: 4, low: 0, high: 4), contents: [0, 10, 10, 0], entries: 20)
        let mean = try #require(h.mean)
        #expect(abs(mean.value - 2) < 1e-12 && abs(mean.error - 0.5 / 20.0.squareRoot()) < 1e-12)
        #expect(try MonitoringHistogram(name: "a/b", x: .init(bins: 2, low: 0, high: 1), contents: [0, 0], entries: 0).mean == nil)
    }
}
