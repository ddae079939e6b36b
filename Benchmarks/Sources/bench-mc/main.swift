import ConveyorConditions
import ConveyorCore
import ConveyorMonteCarlo
import ConveyorRequests
import ConveyorStore
import ConveyorWorkflow
import Foundation
import Logging

// bench-mc DATABASE [REQUESTS] [JOBS] [SUBMIT] [DISPATCH]: issue 20's scale. Seeds (once; a rerun
// resumes) a campaign of REQUESTS MC requests whose productions hold JOBS request jobs in all,
// then measures, each beside its floor in the same run:
//  - the campaign's table (`MonteCarloProduction.campaign`), against reading its request rows alone;
//  - submitting a SUBMIT-job request (plan, jobs with seeds, workflow), against inserting that
//    many jobs alone;
//  - the scheduler dispatching DISPATCH of its elements to a fake Slurm: batch calls per element.
// The campaign page itself is timed over HTTP (`conveyor serve` on DATABASE, curl), see BENCHMARKS.md.
let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    print("usage: bench-mc DATABASE [REQUESTS=10000] [JOBS=10000000] [SUBMIT=100000] [DISPATCH=10000]")
    exit(2)
}
let requests = arguments.count > 2 ? Int(arguments[2]) ?? 10_000 : 10_000
let jobsTotal = arguments.count > 3 ? Int(arguments[3]) ?? 10_000_000 : 10_000_000
let submitJobs = arguments.count > 4 ? Int(arguments[4]) ?? 100_000 : 100_000
let dispatch = arguments.count > 5 ? Int(arguments[5]) ?? 10_000 : 10_000
var logger = Logger(label: "bench")
logger.logLevel = .error
let clock = ContinuousClock()
func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
func timed<T>(_ body: () async throws -> T) async throws -> (T, Double) {
    let start = clock.now
    let value = try await body()
    return (value, seconds(clock.now - start))
}
func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

let location = try StoreLocation(parsing: arguments[1])
if case .sqlite(let path) = location {
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
}
let store = try await Store.open(location, logger: logger)
let manager = Actor(name: "bench", role: .manager)
let production = MonteCarloProduction(store: store)
let work = FileManager.default.temporaryDirectory.appendingPathComponent("bench-mc-\(UUID().uuidString.prefix(8))").path
let tools = work + "/tools"
try FileManager.default.createDirectory(atPath: tools, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: work) }

// MARK: Seeding (resumable)

let workflows = Workflows(store: store)
try await workflows.savePool(
    try Pool(name: "batch", executor: .slurm, slots: dispatch, options: ["commands": tools, "max_array_size": "1000001"]), by: manager)

let conditions = ConditionsDatabase(store: store)
if (try? await conditions.tag(named: "bench_mc")) == nil {
    _ = try await conditions.createTag(named: "bench_mc", type: .data, description: "bench", by: manager)
    try await conditions.upload(name: "BeamSpot", bytes: Data("0.04 -0.02\n".utf8), intoTag: "bench_mc", iov: .from(ExpRun(exp: 0, run: 0)), by: manager)
    try await conditions.setState(ofTag: "bench_mc", to: .running, by: manager)
}
if try await store.read({ try await $0.monteCarloCampaign(named: "BENCH") }) == nil {
    try await production.createCampaign(
        try MonteCarloCampaign(
            name: "BENCH", release: "release-bench", globalTags: ["bench_mc"], program: "/bin/true", sites: [.init(name: "KEKCC", pool: "batch")],
            exp: 1003),
        by: manager)
}
let campaignID = try await store.read { try await $0.monteCarloCampaign(named: "BENCH")!.id }
let groups = ["SL", "charm", "TDCPV", "EWP", "tau", "dark", "BtoCharm", "charmless"]
let states: [MonteCarloRequestState] = [.released, .released, .produced, .submitted, .ready, .approved, .requested, .removed]
let perRequest = max(jobsTotal / requests, 1)
let seeded = try await store.read { try await $0.monteCarloRequests(campaign: campaignID).count }
if seeded < requests {
    print("seeding \(requests - seeded) requests with \(perRequest) jobs each …")
    let started = clock.now
    let batch = 20
    for first in stride(from: seeded, to: requests, by: batch) {
        try await store.write { session in
            for i in first..<min(first + batch, requests) {
                let name = "bench-mc-\(i)"
                let state = states[i % states.count]
                let request = try MonteCarloRequest(
                    campaign: "BENCH", group: groups[i % groups.count], liaison: "liaison\(i % 40)", eventType: String(1_000_000_000 + i),
                    events: Int64(perRequest) * 1_000,
                    background: i % 3 == 0 ? .bgx0 : .bgx1, priority: MonteCarloRequest.Priority(rawValue: i % 5)!, runs: i % 2 == 0 ? "8:1-2000" : nil,
                    eventsPerJob: 1_000, comment: "bench sample \(i)", state: state, production: name, jobs: perRequest,
                    jobsDone: state == .submitted ? perRequest / 2 : (state == .produced || state == .released ? perRequest : 0),
                    eventsDone: 0, cpuSeconds: 0)
                _ = try await session.insertMonteCarloRequest(request, campaign: campaignID, by: "bench")
                let id = try await session.insertRequest(
                    name: name, campaign: "unofficial", configuration: "{}", fileName: "bench", at: .now, by: "bench")
                let jobs = (0..<perRequest).map { j in
                    RequestJob(
                        step: "mc-generation", task: "mc-generation", site: "KEKCC", run: ExpRun(exp: 8, run: 1 + j % 2000), level: .mdst,
                        dataTag: request.eventType, outputLFN: "/belle/MC/bench/prod\(i)/f\(j).root", inputs: [], seed: Int64(i * perRequest + j),
                        plannedEvents: 1_000)
                }
                _ = try await session.insertRequestJobs(jobs, request: id, at: .now)
            }
        }
        if (first / batch) % 50 == 0 { print("  \(first + batch) requests, \(String(format: "%.0f", seconds(clock.now - started))) s") }
    }
    print(String(format: "seeded in %.0f s", seconds(clock.now - started)))
}
let counts = try await store.read { try await $0.counts() }
print("database: \(counts.map { "\($0.kind) \($0.count)" }.joined(separator: ", "))")

// MARK: The campaign's table

var floor: [Double] = [], table: [Double] = []
for _ in 0..<5 {
    floor.append(try await timed { try await store.read { try await $0.monteCarloRequests(campaign: campaignID).count } }.1)
    table.append(try await timed { try await production.campaign("BENCH").requests.count }.1)
}
print(String(format: "campaign table (%d requests): median %.3f s; floor (its request rows alone) %.3f s", requests, median(table), median(floor)))

// MARK: Submitting a big request

let sample = try await production.file(
    try MonteCarloRequest(
        campaign: "BENCH", group: "SL", liaison: "bench", eventType: "submit-\(UUID().uuidString.prefix(8))", events: Int64(submitJobs), background: .bgx0,
        priority: .blocker, eventsPerJob: 1),
    by: manager)
try await store.write { session in
    var ready = try await session.monteCarloRequest(id: sample.id)!
    ready.state = .ready  // the test job is not what is measured
    try await session.updateMonteCarloRequest(ready)
}
let ((submission, _), submitTime) = try await timed { try await production.submit(sample.id, by: manager) }
let floorJobs = (0..<submitJobs).map { j in
    RequestJob(
        step: "mc-generation", task: "mc-generation", site: "KEKCC", run: ExpRun(exp: 1003, run: 0), level: .mdst, dataTag: "floor",
        outputLFN: "/belle/MC/floor/\(UUID().uuidString.prefix(8))/f\(j).root", inputs: [], seed: Int64(j), plannedEvents: 1)
}
let (_, insertTime) = try await timed {
    try await store.write { session in
        let id = try await session.insertRequest(
            name: "floor-\(UUID().uuidString.prefix(8))", campaign: "unofficial", configuration: "{}", fileName: "f", at: .now, by: "bench")
        return try await session.insertRequestJobs(floorJobs, request: id, at: .now).count
    }
}
print(
    String(
        format: "submit %d-job request: %.1f s (%d jobs, workflow %lld); floor (inserting its jobs alone) %.1f s", submitJobs, submitTime, submission.jobs,
        submission.workflowID, insertTime))

// MARK: Dispatching as arrays

let fakes: [String: String] = [
    "sbatch":
        "#!/bin/sh\necho sbatch >> \"$(dirname \"$0\")/calls.log\"\ncat > /dev/null\nn=$(cat \"$(dirname \"$0\")/id\" 2>/dev/null || echo 1000); echo $((n + 1)) > \"$(dirname \"$0\")/id\"; echo $((n + 1))\n",
    "squeue": "#!/bin/sh\necho squeue >> \"$(dirname \"$0\")/calls.log\"\n",
    "sacct": "#!/bin/sh\necho sacct >> \"$(dirname \"$0\")/calls.log\"\n",
    "scontrol": "#!/bin/sh\necho 'MaxArraySize = 1000001'\n",
    "scancel": "#!/bin/sh\n",
]
for (name, text) in fakes {
    try text.write(toFile: "\(tools)/\(name)", atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: "\(tools)/\(name)")
}
let wakeup = Wakeup()
let scheduler = Scheduler(
    store: store, executors: .standard(wakeup: wakeup),
    configuration: .init(jobRoot: work + "/jobs", pollInterval: .milliseconds(10), plugins: try .requests(store: store)), wakeup: wakeup,
    logger: logger)
let dispatchStart = clock.now
var ticks = 0
var submitted = 0
func sbatchCalls() -> Int {
    ((try? String(contentsOfFile: tools + "/calls.log", encoding: .utf8)) ?? "").split(separator: "\n").filter { $0 == "sbatch" }.count
}
// Until every chosen element is sent: planned in one tick, described and sent to sbatch after its write.
var quiet = 0
while ticks < 50, quiet < 2 {
    let before = sbatchCalls()
    let activity = try await scheduler.tick()
    ticks += 1
    submitted += activity.submittedElements
    quiet = submitted >= dispatch && sbatchCalls() == before && before > 0 ? quiet + 1 : 0
}
let calls = sbatchCalls()
print(
    String(
        format: "dispatch: %d elements of the production in %d sbatch call(s) over %d tick(s), %.1f s (%.2f ms per element, the job descriptions written)",
        submitted, calls, ticks, seconds(clock.now - dispatchStart), seconds(clock.now - dispatchStart) * 1000 / Double(max(submitted, 1))))
await store.close()
