import ConveyorCore
import Foundation
import Testing

/// The rules of MC production: events shared by luminosity adding up exactly, jobs split evenly,
/// seeds that are the same for the same job and differ between jobs, background reuse, the
/// request states, and the checks of campaigns and requests.
@Suite("MC production rules")
struct MonteCarloRulesTests {
    @Test func eventsFollowLuminosityAndAddUpExactly() throws {
        let runs = [(ExpRun(exp: 8, run: 1), 11.0), (ExpRun(exp: 8, run: 2), 12.0), (ExpRun(exp: 8, run: 3), 13.0)]
        let shares = try MonteCarloPlan.shares(events: 400, luminosities: runs.map { ($0.0, $0.1) })
        #expect(shares.map(\.events) == [122, 133, 145])
        for total in [1, 2, 7, 999, 1_000_003] as [Int64] {
            let split = try MonteCarloPlan.shares(events: total, luminosities: runs.map { ($0.0, $0.1) })
            #expect(split.reduce(0) { $0 + $1.events } == total, "\(total)")
        }
        // A run without luminosity gets nothing; no luminosity at all is refused.
        let some = try MonteCarloPlan.shares(events: 10, luminosities: [(ExpRun(exp: 8, run: 1), 0), (ExpRun(exp: 8, run: 2), 3)])
        #expect(some.map(\.run.run) == [2] && some[0].events == 10)
        #expect(throws: ConveyorError.self) { try MonteCarloPlan.shares(events: 10, luminosities: [(ExpRun(exp: 8, run: 1), 0)]) }
        #expect(throws: ConveyorError.self) { try MonteCarloPlan.shares(events: 10, luminosities: [(ExpRun(exp: 8, run: 1), .nan)]) }
    }

    @Test func jobsAreSplitEvenlyAndSeededReproducibly() {
        #expect(MonteCarloPlan.split(750, perJob: 300) == [250, 250, 250])
        #expect(MonteCarloPlan.split(1, perJob: 300) == [1])
        #expect(MonteCarloPlan.split(601, perJob: 300) == [201, 200, 200])
        #expect(MonteCarloPlan.split(0, perJob: 300).isEmpty)
        let run = ExpRun(exp: 8, run: 12)
        #expect(MonteCarloPlan.seed(base: 7, run: run, index: 3) == MonteCarloPlan.seed(base: 7, run: run, index: 3))
        var seen = Set<Int64>()
        for index in 0..<10_000 { seen.insert(MonteCarloPlan.seed(base: 7, run: run, index: index)) }
        #expect(seen.count == 10_000, "every job of a run has its own seed")
        #expect(MonteCarloPlan.seed(base: 7, run: run, index: 0) != MonteCarloPlan.seed(base: 8, run: run, index: 0))
        #expect(MonteCarloPlan.seed(base: 7, run: run, index: 0) != MonteCarloPlan.seed(base: 7, run: ExpRun(exp: 8, run: 13), index: 0))
        // Negative and extreme inputs never trap, and a seed always fits a signed 64-bit column.
        for value in [MonteCarloPlan.seed(base: -1, run: run, index: -1), MonteCarloPlan.seed(base: .max, run: ExpRun(exp: .max, run: .max), index: .max)] {
            #expect(value >= 0)
        }
    }

    @Test func backgroundReuseIsSaidInOneLine() {
        let uses = [
            MonteCarloPlan.BackgroundUse(run: ExpRun(exp: 8, run: 1), simulated: 100, backgroundEvents: 50, files: 1),
            MonteCarloPlan.BackgroundUse(run: ExpRun(exp: 8, run: 2), simulated: 300, backgroundEvents: 50, files: 2),
        ]
        #expect(
            MonteCarloPlan.reuseSummary(uses)
                == "background events reused 4.0× on average, at most 6.0× (run 8:2: 300 events on 50 background events in 2 file(s))")
        #expect(MonteCarloPlan.reuseSummary([]) == "no background overlaid")
    }

    @Test func statesMoveOnlyAsTheMCManagerMayMoveThem() throws {
        try MonteCarloRequestState.requested.requireDecision(to: .approved)
        try MonteCarloRequestState.produced.requireDecision(to: .released)
        #expect(throws: ConveyorError.conflict("an MC request cannot go from requested to released by hand (from requested: approved, rejected, removed)")) {
            try MonteCarloRequestState.requested.requireDecision(to: .released)
        }
        #expect(throws: ConveyorError.self) { try MonteCarloRequestState.submitted.requireDecision(to: .produced) }
        #expect(throws: ConveyorError.self) { try MonteCarloRequestState.removed.requireDecision(to: .approved) }
        #expect(!MonteCarloRequestState.rejected.isLive && MonteCarloRequestState.released.isLive)
    }

    @Test func prioritiesRunBelowDataInTheirOwnOrder() throws {
        let levels = MonteCarloRequest.Priority.allCases.map(\.taskPriority)
        #expect(levels == levels.sorted() && Set(levels).count == 5)
        #expect(levels.allSatisfy { $0 < 0 }, "every data step has priority 0 or more")
        #expect(try MonteCarloRequest.Priority(parsing: "blocker") == .blocker)
        #expect(try MonteCarloRequest.Priority(parsing: "3") == .critical)
        #expect(throws: ConveyorError.invalidInput("a priority is 0 (trivial) to 4 (blocker), not 5")) { try MonteCarloRequest.Priority(parsing: "5") }
        #expect(throws: ConveyorError.self) { try MonteCarloRequest.Priority(parsing: "urgent") }
    }

    @Test func requestsAndCampaignsRefuseWhatCannotBe() throws {
        func refusal(_ make: () throws -> Any) -> String {
            do {
                _ = try make()
                return ""
            } catch { return (error as? ConveyorError)?.message ?? "\(error)" }
        }
        let ok = try MonteCarloRequest(campaign: "MC15", group: "charm", liaison: "yeqi", eventType: "1110021000", events: 1_000_000, runs: "8:1-100")
        #expect(ok.sampleKey == "MC15|1110021000|bgx1|8:1-100")
        #expect(refusal { try MonteCarloRequest(campaign: "MC15", group: "charm", liaison: "", eventType: "x", events: 5) }.contains("needs its liaison"))
        #expect(refusal { try MonteCarloRequest(campaign: "MC15", group: "charm", liaison: "y", eventType: "a b", events: 5) }.contains("event type"))
        #expect(
            refusal { try MonteCarloRequest(campaign: "MC15", group: "charm", liaison: "y", eventType: "x", events: 5, runs: "8") }.contains("EXP:FIRST-LAST"))
        #expect(
            refusal { try MonteCarloRequest(campaign: "MC15", group: "charm", liaison: "y", eventType: "x", events: 20_000_000_000, eventsPerJob: 1) }
                .contains("more than 10,000,000 jobs"))
        let campaign = try MonteCarloCampaign(
            name: "MC12", release: "release-03-00-00", globalTags: ["mc"], program: "basf2 gen.py", sites: [.init(name: "KEKCC", pool: "kekcc")])
        #expect(campaign.lpnBase(globalTagID: 487) == "/belle/MC/release-03-00-00/DB00000487/MC12")
        #expect(
            refusal {
                try MonteCarloCampaign(
                    name: "MC12", release: "r", globalTags: ["mc"], program: "p", sites: [.init(name: "A", pool: "a"), .init(name: "A", pool: "b")])
            }.contains("lists a site twice"))
        #expect(refusal { try MonteCarloCampaign(name: "MC12", release: "r", globalTags: ["mc"], program: "p", sites: [], base: "belle") }.contains("site"))
    }

    @Test func productionPathsFollowBelleII() {
        let mc = ProcessingRequest.MonteCarlo(
            request: 7207, campaign: "MC12b", eventType: "1264340000", background: .bgx1, backgroundTag: "hlt_random", eventsPerJob: 10_000, seed: 1,
            lpnBase: "/belle/MC/release-03-01-00/DB00000547/MC12b", energy: "4S", runs: [])
        #expect(
            mc.lfn(run: ExpRun(exp: 1003, run: 0), sequence: 1_001)
                == "/belle/MC/release-03-01-00/DB00000547/MC12b/prod00007207/s00/e1003/4S/r00000/1264340000/mdst/sub01/mdst_00007207_e1003r00000_001001.root")
    }
}
