import ConveyorCore
import Foundation
import Testing

@Suite("Data-taking configuration and the per-run machine")
struct DataTakingConfigurationTests {
    static var minimal: [String: Any] {
        [
            "global": [
                "release": "r1", "express_tags": ["online"], "prompt_tags": ["pcl", "online"], "site": ["name": "KEKCC", "pool": "local"],
                "output_base": "/belle/Data", "commands": ["reconstruction": "reco"], "prompt": ["delay": "48h", "lock_offset": 0, "minimum_delay": "8h"],
            ],
            "streams": [
                [
                    "name": "physics", "express": ["selection": ["hlt_bhabha"], "fraction": 0.5, "outputs": ["cdst"]],
                    "calibrations": [["name": "beam", "command": "calib", "tag": "pcl", "harvest_timeout": "12h"]], "prompt_reco": ["outputs": ["mdst"]],
                ],
                ["name": "cosmic", "data_tags": ["cosmic"]],
            ],
            "runs": [["runs": "8:10-20", "streams": ["physics"], "prompt_reco": false]],
        ]
    }

    static func read(_ tree: [String: Any]) throws -> DataTakingConfiguration {
        let data = try JSONSerialization.data(withJSONObject: tree)
        return try DataTakingConfiguration(configuration: try ConfigurationValue(json: data, file: "dt.json"))
    }

    static func changed(_ path: [String], _ json: String) -> [String: Any] {
        let value: Any? = json == "null" ? nil : try? JSONSerialization.jsonObject(with: Data(json.utf8), options: .fragmentsAllowed)
        func set(_ node: Any, _ path: ArraySlice<String>) -> Any? {
            guard let key = path.first else { return value }
            if var list = node as? [Any], let i = Int(key) {
                if let v = set(list[i], path.dropFirst()) { list[i] = v } else { list.remove(at: i) }
                return list
            }
            var map = node as? [String: Any] ?? [:]
            map[key] = path.count == 1 ? value : set(map[key] ?? [:], path.dropFirst())
            return map
        }
        return set(minimal, path[...]) as? [String: Any] ?? [:]
    }

    @Test func aConfigurationIsReadWithItsDefaultsAndOverrides() throws {
        let c = try Self.read(Self.minimal)
        #expect(c.prompt.delaySeconds == 172_800 && c.prompt.lockOffsetSeconds == 0 && c.prompt.closeAfterSeconds == 4 * 3_600)
        #expect(c.streams.map(\.name) == ["physics", "cosmic"])
        #expect(c.streams[0].calibrations[0].uploadTimeoutSeconds == 18 * 3_600 && c.streams[0].calibrations[0].input == .express)
        #expect(c.streams[1].promptReco == nil && c.streams[1].express == nil)
        // The override: runs 10–20 take only physics, without PromptReco.
        #expect(c.streams(for: ExpRun(exp: 8, run: 15)).map(\.name) == ["physics"])
        #expect(c.streams(for: ExpRun(exp: 8, run: 15))[0].promptReco == nil)
        #expect(c.streams(for: ExpRun(exp: 8, run: 21)).map(\.name) == ["physics", "cosmic"])
        #expect(c.streams(for: ExpRun(exp: 8, run: 21))[0].promptReco != nil)
    }

    @Test(arguments: [
        ("runs.0.streams", #"["cosmics"]"#, "runs[0].streams[0]: unknown stream 'cosmics'"),
        ("streams.1.name", #""physics""#, "stream 'physics' is listed twice"),
        ("streams.0.express.fraction", "0", "a fraction above 0"),
        ("streams.0.express.fraction", "1.5", "streams[0].express.fraction"),
        ("global.prompt.lock_offset", #""50h""#, "must not exceed the delay"),
        ("global.prompt.delay", #""soon""#, "'soon' is not a duration"),
        ("streams.0.calibrations.0.upload_timeout", #""1h""#, "must not be shorter than the harvest timeout"),
        ("streams.0.express", "null", "has no express processing to read"),
        ("global.colour", #""blue""#, "colour"),
        ("streams", "[]", "needs at least one stream"),
        ("global.express_lifetime", #""30d""#, "express_keep_on"),
    ])
    func aBadConfigurationIsRefusedWithItsKeyPath(path: String, json: String, message: String) throws {
        do {
            _ = try Self.read(Self.changed(path.split(separator: ".").map(String.init), json))
            Issue.record("accepted \(path) = \(json)")
        } catch let error as ConveyorError {
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    @Test func theExpressFractionDependsOnTheNameOnly() {
        let express = DataTakingConfiguration.Express(selection: [], fraction: 0.25)
        let lfns = (0..<4_000).map { "/belle/raw/e0008/r00001/raw_all_\($0).sroot" }
        let taken = lfns.filter { DataTakingConfiguration.expressTakes(lfn: $0, dataTag: nil, express: express) }
        #expect((800...1_200).contains(taken.count), "\(taken.count) of 4000")
        #expect(taken == lfns.reversed().filter { DataTakingConfiguration.expressTakes(lfn: $0, dataTag: nil, express: express) }.reversed())
        #expect(!DataTakingConfiguration.expressTakes(lfn: "x", dataTag: "hlt_mumu", express: .init(selection: ["hlt_bhabha"])))
    }

    @Test func theMachineGoesStepByStepAndJumpsToWhatTheHandshakeDecided() {
        let t = Timestamp(microsecondsSinceEpoch: 1_800_000_000_000_000)
        var run = PromptRun(run: ExpRun(exp: 8, run: 1), start: t)
        var stream = LiveStream(run: run.run, stream: "physics", stageAt: t, producers: [.init(name: "beam")])
        var facts = LiveStreamMachine.Facts(run: run, hasExpress: true, filesWaiting: 2)
        #expect(LiveStreamMachine.next(after: stream, facts) == nil, "open until its end")
        run.end = t.adding(seconds: 3_600)
        facts.run = run
        #expect(LiveStreamMachine.next(after: stream, facts)?.stage == .closed)
        stream.stage = .closed
        #expect(LiveStreamMachine.next(after: stream, facts) == nil, "files still waiting for express")
        facts.filesWaiting = 0
        facts.chunksOpen = 1
        #expect(LiveStreamMachine.next(after: stream, facts) == nil, "an express request still running")
        facts.chunksOpen = 0
        #expect(LiveStreamMachine.next(after: stream, facts)?.stage == .express_done)
        stream.stage = .express_done
        #expect(LiveStreamMachine.next(after: stream, facts) == nil, "the producer has not harvested")
        stream.producers[0].state = .harvested
        #expect(LiveStreamMachine.next(after: stream, facts)?.stage == .harvested)
        stream.stage = .harvested
        #expect(LiveStreamMachine.next(after: stream, facts) == nil, "not uploaded")
        // The handshake locks the run before the upload: the stream follows it.
        run.lockedAt = t.adding(seconds: 47 * 3_600)
        facts.run = run
        #expect(LiveStreamMachine.next(after: stream, facts)?.stage == .locked)
        #expect(LiveStreamMachine.next(after: stream, facts)?.reason.contains("before its uploads finished") == true)
        stream.stage = .locked
        run.disposition = .postponed
        facts.run = run
        #expect(LiveStreamMachine.next(after: stream, facts)?.stage == .postponed)
        stream.stage = .postponed
        run.disposition = .normal
        facts.run = run
        #expect(LiveStreamMachine.next(after: stream, facts)?.stage == .locked)
        run.releasedAt = t.adding(seconds: 48 * 3_600)
        facts.run = run
        stream.stage = .locked
        #expect(LiveStreamMachine.next(after: stream, facts)?.stage == .released)
        stream.stage = .released
        #expect(LiveStreamMachine.next(after: stream, facts) == nil, "PromptReco not done")
        facts.promptDone = true
        #expect(LiveStreamMachine.next(after: stream, facts)?.stage == .prompt_done)
        stream.stage = .prompt_done
        #expect(LiveStreamMachine.next(after: stream, facts) == nil, "not certified yet")
        facts.quality = .good
        #expect(LiveStreamMachine.next(after: stream, facts)?.stage == .certified)
        stream.stage = .certified
        #expect(LiveStreamMachine.next(after: stream, facts) == nil)
        run.disposition = .abandoned
        facts.run = run
        stream.stage = .closed
        #expect(LiveStreamMachine.next(after: stream, facts)?.stage == .abandoned)
    }

    @Test func aProducerHarvestsWhenItsInputIsCompleteOrItsTimeoutPassed() {
        let end = Timestamp(microsecondsSinceEpoch: 1_800_000_000_000_000)
        let express = DataTakingConfiguration.Producer(name: "b", command: "c", tag: "t", input: .express, harvestTimeoutSeconds: 12 * 3_600)
        let raw = DataTakingConfiguration.Producer(name: "b", command: "c", tag: "t", input: .raw)
        #expect(LiveStreamMachine.harvestDue(express, stage: .closed, end: end, now: end.adding(seconds: 3_600)) == (false, true))
        #expect(LiveStreamMachine.harvestDue(express, stage: .closed, end: end, now: end.adding(seconds: 12 * 3_600)) == (true, true))
        #expect(LiveStreamMachine.harvestDue(express, stage: .express_done, end: end, now: end) == (true, false))
        #expect(LiveStreamMachine.harvestDue(raw, stage: .closed, end: end, now: end) == (true, false))
        #expect(LiveStreamMachine.harvestDue(raw, stage: .open, end: nil, now: end) == (false, false))
    }
}

@Suite("Who an inbox item waits for")
struct InboxItemTests {
    @Test func namedPeopleTheRoleAndManagers() {
        let t = Timestamp(microsecondsSinceEpoch: 1_800_000_000_000_000)
        let signoff = InboxItem(kind: .signoff, subject: "s", since: t, people: ["cdc-expert"], role: .expert, link: "/workflows/1")
        #expect(signoff.isFor(Actor(name: "cdc-expert", role: .expert)))
        #expect(!signoff.isFor(Actor(name: "ecl-expert", role: .expert)))
        #expect(signoff.isFor(Actor(name: "mona", role: .manager)))
        let paused = InboxItem(kind: .paused_task, subject: "p", since: t, role: .expert, link: "/workflows/1")
        #expect(paused.isFor(Actor(name: "ecl-expert", role: .expert)) && !paused.isFor(Actor(name: "vera", role: .viewer)))
        let failed = InboxItem(kind: .failed_request, subject: "f", since: t, role: .manager, link: "/requests/r")
        #expect(!failed.isFor(Actor(name: "ecl-expert", role: .expert)) && failed.isFor(Actor(name: "a", role: .admin)))
        #expect(InboxItem.describe(age: 93_784) == "1 d 2 h" && InboxItem.describe(age: 3_900) == "1 h 5 min" && InboxItem.describe(age: 42) == "42 s")
        #expect(signoff.age(at: t.adding(seconds: 90)) == 90 && signoff.age(at: Timestamp(microsecondsSinceEpoch: 0)) == 0)
    }

    @Test func aResponsibilityStandsForEveryoneWhoHoldsIt() {
        let t = Timestamp(microsecondsSinceEpoch: 1_800_000_000_000_000)
        let signoff = InboxItem(kind: .signoff, subject: "s", since: t, people: ["ecl_gains"], role: .expert, link: "/workflows/1")
        #expect(signoff.isFor(Actor(name: "alice", role: .expert, responsibilities: ["ecl_gains"])))
        #expect(!signoff.isFor(Actor(name: "carol", role: .expert, responsibilities: ["run_quality"])))
        #expect(Actor(name: "alice", role: .expert).isAmong(["alice"]) && !Actor(name: "alice", role: .expert).isAmong([]))
        #expect(t.subtracting(seconds: 60).seconds(since: t) == -60 && Timestamp(microsecondsSinceEpoch: 5).subtracting(seconds: 1).microsecondsSinceEpoch == 0)
    }
}
