import ConveyorCore
import Testing

func iov(_ text: String) -> IntervalOfValidity { try! IntervalOfValidity(parsing: text) }

func entry(_ name: String, _ revision: Int, _ text: String, id: Int64 = 0) -> TagEntry {
    TagEntry(id: id, name: name, revision: revision, payloadID: Int64(revision), sha256: "sha-\(name)-\(revision)", iov: iov(text))
}

@Suite("Intervals of validity")
struct IntervalOfValidityTests {
    @Test func parsesAndCovers() throws {
        let all8 = iov("8,0,8,-1")
        #expect(all8.contains(ExpRun(exp: 8, run: 0)))
        #expect(all8.contains(ExpRun(exp: 8, run: 999_999)))
        #expect(!all8.contains(ExpRun(exp: 9, run: 0)))
        #expect(!all8.isOpen)
        let open = iov("8,100,-1,-1")
        #expect(open.isOpen)
        #expect(open.contains(ExpRun(exp: 50, run: 3)))
        #expect(!open.contains(ExpRun(exp: 8, run: 99)))
    }

    @Test(arguments: ["8,10,8,5", "9,0,8,-1", "1,2,3", "a,b,c,d", "-1,0,8,1", "8,0,-1,5", "8,0,8,-2", ""])
    func refusesMalformedAndReversedRanges(text: String) {
        #expect(throws: ConveyorError.self) { try IntervalOfValidity(parsing: text) }
    }

    @Test func overlapAndSubtraction() {
        #expect(iov("8,0,8,10").overlaps(iov("8,10,8,20")))
        #expect(!iov("8,0,8,10").overlaps(iov("8,11,8,20")))
        #expect(iov("7,0,7,-1").overlaps(iov("7,5000,8,0")))
        #expect(iov("8,0,8,100").subtracting(iov("8,10,8,20")) == [iov("8,0,8,9"), iov("8,21,8,100")])
        #expect(iov("8,0,-1,-1").subtracting(iov("8,0,8,-1")) == [iov("9,0,-1,-1")])
        #expect(iov("8,5,9,3").subtracting(iov("9,0,9,10")) == [iov("8,5,8,-1")])
        #expect(iov("8,0,8,10").subtracting(iov("9,0,9,10")) == [iov("8,0,8,10")])
    }

    @Test func runsParse() throws {
        #expect(try ExpRun(parsing: "8:1234") == ExpRun(exp: 8, run: 1234))
        #expect(ExpRun(exp: 8, run: 1234).pathComponents == ("e0008", "r01234"))
        #expect(throws: ConveyorError.self) { try ExpRun(parsing: "8-1234") }
        #expect(throws: ConveyorError.self) { try ExpRun(parsing: "8:-1") }
    }
}

@Suite("Global tag states")
struct GlobalTagStateTests {
    static let allowed: Set<String> = [
        "OPEN>TESTING", "OPEN>RUNNING", "TESTING>VALIDATED", "TESTING>OPEN",
        "VALIDATED>PUBLISHED", "VALIDATED>OPEN", "PUBLISHED>INVALID",
    ]

    @Test(arguments: GlobalTagState.allCases, GlobalTagState.allCases)
    func exactlyTheBelleIITransitionsAreAllowed(from: GlobalTagState, to: GlobalTagState) {
        #expect(from.canMove(to: to) == Self.allowed.contains("\(from)>\(to)"), "\(from) -> \(to)")
    }

    @Test func onlyOpenTagsAcceptFreeEditsAndJobsNeverUseInvalid() {
        #expect(GlobalTagState.allCases.filter(\.acceptsFreeEdits) == [.open])
        #expect(!GlobalTagState.invalid.isUsable(allowOpen: true))
        #expect(!GlobalTagState.open.isUsable(allowOpen: false))
        #expect(GlobalTagState.open.isUsable(allowOpen: true))
        #expect([GlobalTagState.testing, .validated, .running, .published].allSatisfy { $0.isUsable(allowOpen: false) })
        #expect(GlobalTagState.allCases.filter(\.needsConfirmation) == [.published, .invalid])
    }
}

@Suite("Staging rules")
struct StagingRulesTests {
    @Test func aContiguousOpenEndedSeriesPasses() {
        let entries = [entry("A", 1, "8,0,8,99"), entry("A", 2, "8,100,8,-1"), entry("A", 3, "9,0,-1,-1"), entry("B", 1, "0,0,-1,-1")]
        #expect(StagingRules.violations(in: entries).isEmpty)
    }

    @Test func eachRuleIsReportedWithNameAndRuns() {
        let entries = [
            entry("A", 1, "8,0,8,99"), entry("A", 2, "8,120,-1,-1"),
            entry("B", 1, "8,0,8,50"), entry("B", 2, "8,40,-1,-1"),
            entry("C", 1, "8,0,8,10"),
        ]
        let violations = StagingRules.violations(in: entries)
        #expect(violations.map(\.kind) == [.gap, .overlap, .lastNotOpen])
        #expect(violations[0].description == "A: gap: runs 8:100 to 8:119 are not covered (between 8,0,8,99 and 8,120,-1,-1)")
        #expect(violations[1].description.hasPrefix("B: overlap"))
        #expect(violations[1].description.contains("8:40 to 8:50"))
        #expect(violations[2].description == "C: last IoV 8,0,8,10 (rev 1) is not open; it should end -1,-1")
    }
}

@Suite("Running update")
struct RunningUpdateTests {
    let running = [entry("A", 1, "0,0,8,99", id: 1), entry("A", 2, "8,100,-1,-1", id: 2), entry("B", 5, "0,0,-1,-1", id: 3), entry("C", 1, "0,0,-1,-1", id: 4)]

    func plan(_ staging: [TagEntry], _ from: String) throws -> RunningUpdate.Plan {
        try RunningUpdate.plan(running: .init(entries: running), staging: staging, validFrom: try ExpRun(parsing: from))
    }

    @Test func openIoVsAreClosedJustBeforeTheNewCoverage() throws {
        let p = try plan([entry("A", 3, "0,0,-1,-1")], "8:500")
        #expect(
            p.changes.map(\.description) == [
                "close   A rev 2: 8,100,-1,-1 -> 8,100,8,499",
                "add     A rev 3: 8,500,-1,-1",
            ])
        #expect(p.changes[0].replacedEntryID == 2)
    }

    @Test func closedIoVsAreNeverTouchedAndOtherNamesStay() throws {
        let p = try plan([entry("A", 3, "0,0,-1,-1")], "8:500")
        #expect(!p.changes.contains { $0.replacedEntryID == 1 || $0.name == "B" || $0.name == "C" })
    }

    @Test func theSameRevisionExtendsInsteadOfClosing() throws {
        let p = try plan([entry("B", 5, "0,0,9,-1"), entry("B", 6, "10,0,-1,-1")], "8:500")
        #expect(
            p.changes.map(\.description) == [
                "extend  B rev 5: 0,0,-1,-1 -> 0,0,9,-1",
                "add     B rev 6: 10,0,-1,-1",
            ])
        let unchanged = try plan([entry("C", 1, "0,0,-1,-1")], "8:500")
        #expect(unchanged.changes.isEmpty, "an open IoV of the same revision already covers it all")
    }

    @Test func zeroZeroStartsMoveToValidFromAndOthersMustNotStartEarlier() throws {
        let p = try plan([entry("A", 3, "0,0,8,999"), entry("A", 4, "8,1000,-1,-1")], "8:500")
        #expect(p.changes.map(\.newIoV) == [iov("8,100,8,499"), iov("8,500,8,999"), iov("8,1000,-1,-1")])
        #expect(throws: ConveyorError.self) { try plan([entry("A", 3, "8,300,-1,-1")], "8:500") }
        #expect(throws: ConveyorError.self) { try plan([entry("A", 3, "0,0,8,200")], "8:500") }
    }

    @Test func aTooEarlyValidFromIsRefusedWithTheEarliestAcceptable() {
        // The latest start is 8:100 (A rev 2) and the latest closed end 8:99: the earliest is 8:101.
        #expect(RunningUpdate.earliestValidFrom(.init(entries: running)) == ExpRun(exp: 8, run: 101))
        do {
            _ = try plan([entry("A", 3, "0,0,-1,-1")], "8:100")
            Issue.record("8:100 was accepted")
        } catch {
            #expect("\(error)".contains("earliest acceptable valid_from is 8:101"))
        }
        #expect(throws: Never.self) { try plan([entry("A", 3, "0,0,-1,-1")], "8:101") }
    }

    @Test func closedEndsPushTheEarliestValidFromAcrossExperiments() {
        let summary = RunningUpdate.RunningTagSummary(entries: [entry("X", 1, "7,0,7,-1")])
        #expect(RunningUpdate.earliestValidFrom(summary) == ExpRun(exp: 8, run: 0))
    }
}

@Suite("Merge, diff and stacking")
struct TagAlgebraTests {
    @Test func mergeFillsGapsByPriority() {
        let primary = [entry("A", 10, "8,100,8,199")]
        let fallback = [entry("A", 1, "0,0,-1,-1"), entry("B", 1, "0,0,-1,-1")]
        let merged = TagMerge.merge([primary, fallback])
        #expect(
            merged.map { "\($0.name) \($0.revision) \($0.iov)" } == [
                "A 1 0,0,8,99", "A 10 8,100,8,199", "A 1 8,200,-1,-1", "B 1 0,0,-1,-1",
            ])
        let clipped = TagMerge.merge([primary, fallback], within: iov("8,150,8,300"))
        #expect(
            clipped.map { "\($0.name) \($0.revision) \($0.iov)" } == [
                "A 10 8,150,8,199", "A 1 8,200,8,300", "B 1 8,150,8,300",
            ])
    }

    @Test func diffReportsAddedRemovedAndChanged() {
        let a = [entry("A", 1, "0,0,-1,-1"), entry("B", 1, "0,0,8,99"), entry("C", 1, "0,0,-1,-1")]
        let b = [entry("A", 2, "0,0,-1,-1"), entry("B", 1, "0,0,8,99"), entry("B", 2, "8,100,-1,-1")]
        let diff = TagDiff(from: a, to: b)
        #expect(diff.changed.map { "\($0.name) \($0.fromRevision)->\($0.toRevision)" } == ["A 1->2"])
        #expect(diff.added.map { "\($0.name) \($0.revision) \($0.iov)" } == ["B 2 8,100,-1,-1"])
        #expect(diff.removed.map { "\($0.name) \($0.revision)" } == ["C 1"])
        let atRun = TagDiff(from: a, to: b, at: ExpRun(exp: 8, run: 50))
        #expect(atRun.added.isEmpty && atRun.changed.count == 1 && atRun.removed.count == 1)
        #expect(TagDiff(from: a, to: a).isEmpty)
    }

    @Test func stackingTakesEachNameFromTheFirstTagThatCoversTheRun() {
        let top = ConditionsIndex(entries: [entry("A", 9, "8,100,8,200")])
        let base = ConditionsIndex(entries: [entry("A", 1, "0,0,-1,-1"), entry("B", 1, "0,0,-1,-1")])
        let stack = ConditionsStack([("top", top), ("base", base)])
        #expect(stack.resolve(at: ExpRun(exp: 8, run: 150)).map { "\($0.name) \($0.revision) \($0.tag)" } == ["A 9 top", "B 1 base"])
        #expect(stack.resolve(at: ExpRun(exp: 8, run: 250)).map { "\($0.name) \($0.revision) \($0.tag)" } == ["A 1 base", "B 1 base"])
        #expect(stack.resolve(at: ExpRun(exp: 8, run: 150), names: ["B", "Z"]).map(\.name) == ["B"])
    }

    @Test func theIndexFindsTheCoveringIoVByBinarySearch() {
        var entries: [TagEntry] = []
        for i in 0..<1000 { entries.append(entry("A", i + 1, "8,\(i * 10),8,\(i * 10 + 9)")) }
        let index = ConditionsIndex(entries: entries.shuffled())
        for run in [0, 9, 10, 5555, 9999] {
            #expect(index.resolve(name: "A", at: ExpRun(exp: 8, run: run))?.revision == run / 10 + 1)
        }
        #expect(index.resolve(name: "A", at: ExpRun(exp: 8, run: 10_000)) == nil)
        #expect(index.resolve(name: "A", at: ExpRun(exp: 7, run: 5)) == nil)
        #expect(index.resolve(name: "B", at: ExpRun(exp: 8, run: 5)) == nil)
    }
}
