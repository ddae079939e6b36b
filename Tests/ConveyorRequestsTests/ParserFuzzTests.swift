import ConveyorCore
import ConveyorRequests
import ConveyorWorkflow
import Foundation
import Testing

/// Every parser that reads what people and files give Conveyor either returns a value or throws a
/// ``ConveyorError``; none may trap, since a trap in a server process kills it for every user.
/// Inputs are random mutations of valid documents (seeded, so a failure is reproducible), bounded
/// to keep the suite fast. A trap fails the whole test process, and so the run.
@Suite("Parsers survive any input")
struct ParserFuzzTests {
    /// A small, seeded generator (SplitMix64): the same seed gives the same inputs on every machine.
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Pieces that parsers treat specially, mixed into mutations.
    static let pieces = [
        ",", "\"", "\n", "\r\n", ":", "-", "--", "-1", "0", "9223372036854775807", "-9223372036854775808", "99999999999999999999",
        "1e308", "nan", "inf", "{", "}", "[", "]", " ", "\t", "#", "&", "*", "!", "|", "'", "\\", "\u{0}", "é", "exp", "run", "name",
        "tasks", "- name: x", "depends_on: [x]", "array: 99999999", "cooloff: 1e300", ".inf", "~", "null", "true", "2026-13-45", "T", "Z", "+",
    ]

    static func mutate(_ text: String, _ rng: inout Seeded) -> String {
        var chars = Array(text)
        for _ in 0..<Int.random(in: 1...6, using: &rng) {
            let at = chars.isEmpty ? 0 : Int.random(in: 0..<chars.count, using: &rng)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0 where !chars.isEmpty: chars.remove(at: at)
            case 1: chars.insert(contentsOf: pieces.randomElement(using: &rng)!, at: at)
            case 2 where !chars.isEmpty: chars[at] = Character(UnicodeScalar(UInt8.random(in: 0...127, using: &rng)))
            default:
                // Repeat a random slice: duplicated columns, keys and list items.
                if !chars.isEmpty {
                    let end = min(chars.count, at + Int.random(in: 1...20, using: &rng))
                    chars.insert(contentsOf: chars[at..<end], at: at)
                }
            }
        }
        return String(chars)
    }

    static func fuzz(_ seeds: [String], rounds: Int, seed: UInt64, _ parse: (String) throws(ConveyorError) -> Void) {
        var rng = Seeded(state: seed)
        for round in 0..<rounds {
            let input = round < seeds.count ? seeds[round] : mutate(seeds[round % seeds.count], &rng)
            do { try parse(input) } catch {
                #expect(!error.message.isEmpty, "a refusal says why: \(input.debugDescription)")
                #expect(!error.message.contains("\n"), "one line: \(error.message.debugDescription)")
            }
        }
    }

    static let runSummaries = [
        "exp,run,type,energy,magnet,start,stop,events,online_lumi,offline_lumi,state\n8,100,physics,4S,on,2026-11-01T00:00:00Z,2026-11-01T02:00:00Z,1000,12.5,,ended\n",
        "exp,run,exp\n8,1,8\n", "\"exp\",\"run\",\"energy\"\r\n8,1,\"4S, \"\"scan\"\"\"\r\n",
        #"[{"exp": 8, "run": 1, "events": 10, "magnet": true}, {"exp": 8, "run": 2, "online_lumi": 1.5}]"#,
    ]

    @Test func runSummaries() {
        Self.fuzz(Self.runSummaries, rounds: 3_000, seed: 1) { text throws(ConveyorError) in _ = try RunSummaryFile.parse(Data(text.utf8), name: "f") }
    }

    @Test func runStringsIntervalsTimesAndSlotCounts() {
        Self.fuzz(["8:1234", "0:0"], rounds: 1_500, seed: 2) { text throws(ConveyorError) in _ = try ExpRun(parsing: text) }
        Self.fuzz(["0,0,-1,-1", "8,100,8,-1", "8,1,9,20"], rounds: 1_500, seed: 3) { text throws(ConveyorError) in _ = try IntervalOfValidity(parsing: text) }
        Self.fuzz(["2026-11-22T14:05:00Z", "2026-11-22", "2026-11-22T14:05:00.123456+02:00"], rounds: 1_500, seed: 4) { text throws(ConveyorError) in
            _ = try Timestamp(parsing: text)
        }
        Self.fuzz(["400,1000,1500", "1"], rounds: 1_500, seed: 5) { text throws(ConveyorError) in _ = try RequestEstimate.slotCounts(parsing: text) }
        Self.fuzz(["100-250", "0-0"], rounds: 1_500, seed: 6) { text throws(ConveyorError) in
            _ = try RunQuery(
                exp: 8, runs: text, type: nil, energy: nil, magnet: nil, minimumDurationMinutes: Int64(text.count) * 1_000_000_000_000_000,
                minimumLuminosity: nil, quality: nil)
        }
    }

    @Test func lfns() {
        Self.fuzz(["/belle/Data/release-08/DB00001234/prompt/e0008/4S/r00012/all/mdst/sub01/mdst.root"], rounds: 1_500, seed: 7) { text throws(ConveyorError) in
            try CatalogFile(
                lfn: text, size: 1, adler32: "0000abcd", sha256: String(repeating: "a", count: 64), events: 1, run: ExpRun(exp: 8, run: 1), level: .mdst
            )
            .validate()
        }
    }

    static let workflow = """
        name: calibrate
        tasks:
          - {name: a, command: "echo a", array: 3, retries: 2, cooloff: 5, time_limit: 60}
          - {name: b, kind: signoff, role: expert, signers: [alice], depends_on: [a]}
          - {name: c, kind: action, action: gt.check, parameters: {tag: staging}, depends_on: [b]}
          - {name: d, kind: wait, wait: {kind: files_on_disk, lfns: [/a]}, depends_on: [c], trigger: all_done}
        """

    @Test func workflowFiles() {
        Self.fuzz([Self.workflow, #"{"name": "w", "tasks": [{"name": "a", "command": "true"}]}"#], rounds: 1_500, seed: 8) { text throws(ConveyorError) in
            _ = try WorkflowDefinition(configuration: try ConfigurationFile.read(Data(text.utf8), name: "w.yaml"))
        }
    }

    static let request = """
        name: prompt-b1
        campaign: prompt
        bucket: b1
        release: release-08-01-00
        input: {level: raw, data_tags: [hlt_bhabha, all]}
        outputs: [cdst, mdst]
        global_tags: [online]
        staging_tag: staging_b1
        prompt_tag: prompt
        sites: [{name: KEKCC, pool: local, storage: /data}]
        calibrations: [{name: cdc, command: "true", expert: cdc-expert, input: {data_tags: [hlt_bhabha]}}]
        output_base: /belle/Data
        files_per_job: 2
        commands: {reconstruction: "reco", skim: "skim"}
        skims: [hadron]
        """

    @Test func requestFiles() {
        Self.fuzz([Self.request], rounds: 1_500, seed: 9) { text throws(ConveyorError) in
            let request = try Requests.parse(Data(text.utf8), name: "r.yaml")
            _ = RequestPlan(request)
        }
    }

    /// RFC 4180: fields with commas, quotes and line breaks come back as they were written.
    @Test func quotedRunSummariesRoundTrip() throws {
        var rng = Seeded(state: 10)
        for _ in 0..<200 {
            let energy = String((0..<Int.random(in: 1...12, using: &rng)).map { _ in Array("ab ,\"\n4S")[Int.random(in: 0..<8, using: &rng)] })
            let quoted = "\"" + energy.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            let run = Int.random(in: 0...99_999, using: &rng)
            let records = try RunSummaryFile.parse(Data("exp,run,energy\r\n8,\(run),\(quoted)\r\n".utf8), name: "f")
            #expect(records.count == 1)
            #expect(records.first?.run == ExpRun(exp: 8, run: run))
            #expect(records.first?.energy == energy, "\(energy.debugDescription)")
        }
    }
}
