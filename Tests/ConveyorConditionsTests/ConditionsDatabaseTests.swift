import ConveyorAccess
import ConveyorConditions
import ConveyorCore
import ConveyorStore
import ConveyorTestSupport
import Foundation
import Testing

let expert = Actor(name: "alice", role: .expert)
let manager = Actor(name: "mona", role: .manager)
func run(_ text: String) -> ExpRun { try! ExpRun(parsing: text) }
func iov(_ text: String) -> IntervalOfValidity { try! IntervalOfValidity(parsing: text) }
func bytes(_ text: String) -> Data { Data(text.utf8) }

/// The conditions database through its capability API, on every backend.
@Suite("Conditions database")
struct ConditionsDatabaseTests {
    @Test(arguments: TestBackend.available)
    func uploadsNumberRevisionsAndReuseIdenticalBytes(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let db = ConditionsDatabase(store: store)
            try await db.createTag(named: "dev", by: expert)
            let first = try await db.upload(name: "BeamSpot", bytes: bytes("v1"), intoTag: "dev", iov: iov("0,0,8,99"), by: expert)
            let second = try await db.upload(name: "BeamSpot", bytes: bytes("v2"), intoTag: "dev", iov: iov("8,100,8,199"), by: expert)
            let again = try await db.upload(name: "BeamSpot", bytes: bytes("v1"), intoTag: "dev", iov: iov("8,200,-1,-1"), by: expert)
            #expect(first.payload.revision == 1 && first.isNewRevision)
            #expect(second.payload.revision == 2)
            #expect(again.payload.revision == 1 && !again.isNewRevision)
            #expect(first.payload.sha256 == "3bfc269594ef649228e9a74bab00f042efc91d5acc6fbee31a382e80d42388fe")
            #expect(first.payload.md5 == "9c3e3ba9a5e1b3b5ee5d1e9cd7bd6e77" || first.payload.md5.count == 32)
            let (payload, data) = try await db.download(name: "BeamSpot", revision: 2)
            #expect(payload.size == 2 && data == bytes("v2"))
            #expect(try await db.payloads(named: "BeamSpot").map(\.revision) == [1, 2])
            #expect(try await db.check(tag: "dev").isEmpty)
        }
    }

    @Test(arguments: TestBackend.available)
    func badInputIsRefusedWithAReasonAndWritesNothing(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let db = ConditionsDatabase(store: store)
            try await db.createTag(named: "dev", by: expert)
            try await db.upload(name: "A", bytes: bytes("a"), intoTag: "dev", iov: iov("0,0,8,99"), by: expert)
            let cases: [(String, () async throws -> Void)] = [
                ("overlap", { _ = try await db.upload(name: "A", bytes: bytes("b"), intoTag: "dev", iov: iov("8,50,-1,-1"), by: expert) }),
                ("unknown tag", { _ = try await db.upload(name: "A", bytes: bytes("b"), intoTag: "nope", iov: iov("9,0,-1,-1"), by: expert) }),
                (
                    "checksum",
                    { _ = try await db.upload(name: "A", bytes: bytes("b"), intoTag: "dev", iov: iov("9,0,-1,-1"), expectedSHA256: "00", by: expert) }
                ),
                ("bad name", { _ = try await db.upload(name: "9lives", bytes: bytes("b"), intoTag: "dev", iov: iov("9,0,-1,-1"), by: expert) }),
                (
                    "viewer",
                    { _ = try await db.upload(name: "A", bytes: bytes("b"), intoTag: "dev", iov: iov("9,0,-1,-1"), by: Actor(name: "v", role: .viewer)) }
                ),
                ("duplicate tag", { try await db.createTag(named: "dev", by: expert) }),
            ]
            for (label, attempt) in cases {
                await #expect(throws: ConveyorError.self, "\(label)") { try await attempt() }
            }
            let entries = try await db.entries(ofTag: "dev")
            #expect(entries.count == 1, "nothing was written by the refused attempts")
            #expect(try await db.payloads(named: "A").count == 1)
        }
    }

    @Test(arguments: TestBackend.available)
    func onlyOpenTagsAreEditedAndStatesFollowTheLifeCycle(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let db = ConditionsDatabase(store: store)
            try await db.createTag(named: "t", by: expert)
            try await db.upload(name: "A", bytes: bytes("a"), intoTag: "t", iov: iov("0,0,-1,-1"), by: expert)
            await #expect(throws: ConveyorError.self, "experts do not change states") {
                try await db.setState(ofTag: "t", to: .testing, by: expert)
            }
            try await db.setState(ofTag: "t", to: .testing, by: manager)
            await #expect(throws: ConveyorError.self, "TESTING is not edited") {
                _ = try await db.upload(name: "B", bytes: bytes("b"), intoTag: "t", iov: iov("0,0,-1,-1"), by: expert)
            }
            await #expect(throws: ConveyorError.self, "TESTING cannot jump to PUBLISHED") {
                try await db.setState(ofTag: "t", to: .published, confirm: "t", by: manager)
            }
            try await db.setState(ofTag: "t", to: .validated, by: manager)
            await #expect(throws: ConveyorError.self, "publishing needs the name typed again") {
                try await db.setState(ofTag: "t", to: .published, by: manager)
            }
            try await db.setState(ofTag: "t", to: .published, confirm: "t", by: manager)
            await #expect(throws: ConveyorError.self, "PUBLISHED is immutable") {
                try await db.removeIoV(fromTag: "t", name: "A", iov: iov("0,0,-1,-1"), by: manager)
            }
            await #expect(throws: ConveyorError.self) { try await db.deleteTag(named: "t", by: manager) }
            try await db.setState(ofTag: "t", to: .invalid, confirm: "t", by: manager)
            await #expect(throws: ConveyorError.self, "INVALID is final") {
                try await db.setState(ofTag: "t", to: .open, by: manager)
            }
            await #expect(throws: ConveyorError.self, "INVALID tags are never used") {
                _ = try await db.resolve(tags: ["t"], at: run("8:1"), allowOpen: true)
            }
        }
    }

    @Test(arguments: TestBackend.available)
    func stackingTakesEachNameFromTheFirstTagAndRefusesOpenUnlessAsked(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let db = ConditionsDatabase(store: store)
            for tag in ["calib", "base"] { try await db.createTag(named: tag, by: expert) }
            try await db.upload(name: "A", bytes: bytes("a-calib"), intoTag: "calib", iov: iov("8,100,8,200"), by: expert)
            try await db.upload(name: "A", bytes: bytes("a-base"), intoTag: "base", iov: iov("0,0,-1,-1"), by: expert)
            try await db.upload(name: "B", bytes: bytes("b-base"), intoTag: "base", iov: iov("0,0,-1,-1"), by: expert)
            await #expect(throws: ConveyorError.self) { _ = try await db.resolve(tags: ["calib", "base"], at: run("8:150")) }
            let found = try await db.resolve(tags: ["calib", "base"], at: run("8:150"), allowOpen: true)
            #expect(found.map { "\($0.name) \($0.revision) \($0.tag)" } == ["A 1 calib", "B 1 base"])
            let later = try await db.resolve(tags: ["calib", "base"], at: run("8:250"), names: ["A"], allowOpen: true)
            #expect(later.map { "\($0.name) \($0.revision) \($0.tag)" } == ["A 2 base"])
            try await db.setState(ofTag: "base", to: .testing, by: manager)
            #expect(try await db.resolve(tags: ["base"], at: run("8:250")).count == 2, "TESTING tags are usable")
        }
    }

    @Test(arguments: TestBackend.available)
    func asOfAnswersExactlyAsTheDatabaseDidThen(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let db = ConditionsDatabase(store: store)
            try await db.createTag(named: "t", by: expert)
            try await db.upload(name: "A", bytes: bytes("1"), intoTag: "t", iov: iov("0,0,-1,-1"), by: expert)
            let before = Timestamp.now
            try await Task.sleep(for: .milliseconds(5))
            try await db.removeIoV(fromTag: "t", name: "A", iov: iov("0,0,-1,-1"), by: expert)
            try await db.upload(name: "A", bytes: bytes("2"), intoTag: "t", iov: iov("0,0,-1,-1"), by: expert)
            try await db.setState(ofTag: "t", to: .running, by: manager)
            #expect(try await db.resolve(tags: ["t"], at: run("8:1")).map(\.revision) == [2])
            let then = try await db.resolve(tags: ["t"], at: run("8:1"), asOf: before, allowOpen: true)
            #expect(then.map(\.revision) == [1])
            #expect(try await db.tag(named: "t", asOf: before).state == .open)
            await #expect(throws: ConveyorError.self, "OPEN at that time, so refused without --allow-open") {
                _ = try await db.resolve(tags: ["t"], at: run("8:1"), asOf: before)
            }
            let history = try await db.entries(ofTag: "t", asOf: before)
            #expect(history.map(\.revision) == [1])
            await #expect(throws: ConveyorError.self) { _ = try await db.tag(named: "t", asOf: Timestamp(microsecondsSinceEpoch: 0)) }
        }
    }

    @Test(arguments: TestBackend.available)
    func aRunningUpdateIsAppliedWholeOrNotAtAll(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let db = ConditionsDatabase(store: store)
            try await db.createTag(named: "prompt", by: expert)
            try await db.upload(name: "A", bytes: bytes("a1"), intoTag: "prompt", iov: iov("0,0,-1,-1"), by: expert)
            try await db.upload(name: "B", bytes: bytes("b1"), intoTag: "prompt", iov: iov("0,0,8,99"), by: expert)
            try await db.upload(name: "B", bytes: bytes("b2"), intoTag: "prompt", iov: iov("8,100,-1,-1"), by: expert)
            try await db.setState(ofTag: "prompt", to: .running, by: manager)
            try await db.createTag(named: "staging", by: expert)
            try await db.upload(name: "A", bytes: bytes("a2"), intoTag: "staging", iov: iov("0,0,-1,-1"), by: expert)
            try await db.upload(name: "B", bytes: bytes("b2"), intoTag: "staging", iov: iov("0,0,8,999"), by: expert)
            try await db.upload(name: "B", bytes: bytes("b3"), intoTag: "staging", iov: iov("8,1000,-1,-1"), by: expert)

            await #expect(throws: ConveyorError.self, "staging must be VALIDATED") {
                _ = try await db.runningUpdate("prompt", from: "staging", validFrom: run("8:500"), by: manager)
            }
            try await db.setState(ofTag: "staging", to: .testing, by: manager)
            try await db.setState(ofTag: "staging", to: .validated, by: manager)
            await #expect(throws: ConveyorError.self, "experts do not run updates") {
                _ = try await db.runningUpdate("prompt", from: "staging", validFrom: run("8:500"), by: expert)
            }
            do {
                _ = try await db.runningUpdate("prompt", from: "staging", validFrom: run("8:100"), by: manager)
                Issue.record("a too-early valid_from was accepted")
            } catch {
                #expect("\(error)".contains("earliest acceptable valid_from is 8:101"))
            }
            let dry = try await db.runningUpdate("prompt", from: "staging", validFrom: run("8:500"), dryRun: true, by: manager)
            #expect(dry.changes.count == 4)
            #expect(try await db.entries(ofTag: "prompt").count == 3, "a dry run writes nothing")

            _ = try await db.runningUpdate("prompt", from: "staging", validFrom: run("8:500"), by: manager)
            let after = try await db.entries(ofTag: "prompt").map { "\($0.name) \($0.revision) \($0.iov)" }
            #expect(after == ["A 1 0,0,8,499", "A 2 8,500,-1,-1", "B 1 0,0,8,99", "B 2 8,100,8,999", "B 3 8,1000,-1,-1"])
            #expect(try await db.check(tag: "prompt").isEmpty)
            #expect(try await db.resolve(tags: ["prompt"], at: run("8:499")).map(\.revision) == [1, 2])
            #expect(try await db.resolve(tags: ["prompt"], at: run("8:500")).map(\.revision) == [2, 2])
        }
    }

    @Test(arguments: TestBackend.available)
    func cloneMergeDiffAndDelete(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let db = ConditionsDatabase(store: store)
            try await db.createTag(named: "a", by: expert)
            try await db.upload(name: "A", bytes: bytes("a"), intoTag: "a", iov: iov("8,100,8,199"), by: expert)
            try await db.createTag(named: "b", by: expert)
            try await db.upload(name: "A", bytes: bytes("a0"), intoTag: "b", iov: iov("0,0,-1,-1"), by: expert)
            let merged = try await db.merge(["a", "b"], into: "ab", by: expert)
            #expect(merged.iovCount == 3)
            #expect(try await db.entries(ofTag: "ab").map { "\($0.revision) \($0.iov)" } == ["2 0,0,8,99", "1 8,100,8,199", "2 8,200,-1,-1"])
            try await db.clone("ab", as: "ab2", by: expert)
            #expect(try await db.diff("ab", "ab2").isEmpty)
            try await db.upload(name: "C", bytes: bytes("c"), intoTag: "ab2", iov: iov("0,0,-1,-1"), by: expert)
            let diff = try await db.diff("ab", "ab2")
            #expect(diff.added.map(\.name) == ["C"] && diff.removed.isEmpty)
            try await db.deleteTag(named: "ab2", by: expert)
            await #expect(throws: ConveyorError.self) { _ = try await db.tag(named: "ab2") }
            try await db.createTag(named: "ab2", by: expert)
            #expect(try await db.entries(ofTag: "ab2").isEmpty, "a reused name starts empty")
        }
    }

    /// Many writers race to put overlapping IoVs into one tag: every accepted IoV is disjoint.
    @Test(arguments: TestBackend.available)
    func concurrentWritersNeverLeaveOverlaps(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let db = ConditionsDatabase(store: store)
            try await db.createTag(named: "race", by: expert)
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for i in 0..<48 {
                    group.addTask {
                        let start = (i % 12) * 10
                        let result = try? await db.upload(name: "A", bytes: bytes("p\(i)"), intoTag: "race", iov: iov("8,\(start),8,\(start + 14)"), by: expert)
                        return result != nil
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            let entries = try await db.entries(ofTag: "race")
            #expect(entries.count == outcomes.filter { $0 }.count)
            // Maximal: every candidate IoV was either accepted or overlaps one that was.
            for start in stride(from: 0, to: 120, by: 10) {
                let candidate = iov("8,\(start),8,\(start + 14)")
                #expect(entries.contains { $0.iov.overlaps(candidate) }, "\(candidate) was refused with nothing in its way")
            }
            for (i, a) in entries.enumerated() {
                for b in entries[(i + 1)...] { #expect(!a.iov.overlaps(b.iov), "\(a.iov) overlaps \(b.iov)") }
            }
            let revisions = try await db.payloads(named: "A").map(\.revision)
            #expect(revisions == Array(1...revisions.count), "revisions are numbered without gaps or duplicates")
        }
    }

    /// Racing running updates of one tag: one applies, the rest see its result and are refused
    /// for a too-early valid_from; the tag never ends up half-updated.
    @Test(arguments: TestBackend.available)
    func racingRunningUpdatesApplyOnce(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let db = ConditionsDatabase(store: store)
            try await db.createTag(named: "prompt", by: expert)
            try await db.upload(name: "A", bytes: bytes("a1"), intoTag: "prompt", iov: iov("0,0,-1,-1"), by: expert)
            try await db.setState(ofTag: "prompt", to: .running, by: manager)
            try await db.createTag(named: "staging", by: expert)
            for i in 0..<20 {
                try await db.upload(name: "N\(i)", bytes: bytes("n\(i)"), intoTag: "staging", iov: iov("0,0,-1,-1"), by: expert)
            }
            try await db.upload(name: "A", bytes: bytes("a2"), intoTag: "staging", iov: iov("0,0,-1,-1"), by: expert)
            try await db.setState(ofTag: "staging", to: .testing, by: manager)
            try await db.setState(ofTag: "staging", to: .validated, by: manager)
            let applied = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<6 {
                    group.addTask { (try? await db.runningUpdate("prompt", from: "staging", validFrom: run("8:10"), by: manager)) != nil }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(applied == 1)
            let entries = try await db.entries(ofTag: "prompt")
            #expect(entries.count == 22)
            #expect(try await db.check(tag: "prompt").isEmpty)
        }
    }
}
