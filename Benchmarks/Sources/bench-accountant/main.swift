import ConveyorConditions
import ConveyorCore
import ConveyorExecutors
import ConveyorJob
import ConveyorRequests
import ConveyorRuns
import ConveyorStore
import ConveyorWorkflow
import Foundation
import Logging

// bench-accountant DATABASE JOBS [BATCH]: reports accounted per second.
//
// Sets up a request of JOBS mDST jobs (one raw file each), writes each job's output and report
// as the job runner would, then times the accountant over batches of BATCH reports (one
// transaction per batch, as the scheduler calls it). The floor beside it, measured in the same
// run on the same database: registering the same number of catalog files in batches of the same
// size with no report to read and nothing to check — the store's own cost of what the accountant
// writes.
let arguments = CommandLine.arguments
guard arguments.count >= 3, let jobs = Int(arguments[2]) else {
    print("usage: bench-accountant DATABASE JOBS [BATCH]   (DATABASE: an SQLite path or a postgres:// URL)")
    exit(2)
}
let batch = arguments.count > 3 ? Int(arguments[3]) ?? 200 : 200
var logger = Logger(label: "bench")
logger.logLevel = .error
let location = try StoreLocation(parsing: arguments[1])
let store = try await Store.open(location, logger: logger)
let actor = Actor(name: "bench", role: .admin)
let work = FileManager.default.temporaryDirectory.appendingPathComponent("bench-accountant-\(UUID().uuidString.prefix(8))").path
try FileManager.default.createDirectory(atPath: work + "/raw", withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: work) }

// Runs, one raw file per run, tags, a pool and the request.
let runs = jobs
var csv = "exp,run,type,start,stop,events,online_lumi\n"
for run in 1...runs { csv += "8,\(run),physics,2026-11-01T00:00:00Z,2026-11-01T00:10:00Z,100,1\n" }
_ = try await RunRegistry(store: store).importSummary(Data(csv.utf8), name: "runs.csv", by: actor)
for run in 1...runs { try await RunRegistry(store: store).flag(ExpRun(exp: 8, run: run), to: .good, reason: "bench", by: actor) }
_ = try await RunRegistry(store: store).createBucket(named: "b1", exp: 8, runs: 1...runs, by: actor)
var raw: [CatalogFile] = []
for run in 1...runs {
    let lfn = "/belle/raw/e0008/r\(String(format: "%05d", run))/raw_\(run).sroot"
    let data = Data("raw events of run \(run)\n".utf8)
    let path = work + "/raw/raw_\(run).sroot"
    try data.write(to: URL(fileURLWithPath: path))
    var sums = FileChecksums()
    sums.update(data)
    raw.append(
        CatalogFile(
            lfn: lfn, size: sums.size, adler32: sums.adler32, sha256: sums.sha256, events: 100, run: ExpRun(exp: 8, run: run), level: .raw,
            dataTag: nil, replicas: [Replica(site: "SITE", path: path)]))
}
for start in stride(from: 0, to: raw.count, by: 1_000) {
    _ = try await FileCatalog(store: store).register(Array(raw[start..<min(start + 1_000, raw.count)]), by: actor)
}
let conditions = ConditionsDatabase(store: store)
_ = try await conditions.createTag(named: "online", type: .data, by: actor)
_ = try await conditions.upload(
    name: "BeamSpot", bytes: Data("constants".utf8), intoTag: "online", iov: IntervalOfValidity(expLow: 0, runLow: 0, expHigh: -1, runHigh: -1), by: actor)
_ = try await conditions.setState(ofTag: "online", to: .running, by: actor)
try await Workflows(store: store).savePool(try Pool(name: "p", executor: .local, slots: 10), by: actor)
let request = """
    name: bench
    campaign: unofficial
    bucket: b1
    release: r1
    input: {level: raw, selection: all}
    outputs: [mdst]
    global_tags: [online]
    sites: [{name: SITE, pool: p, storage: \(work)/storage}]
    commands: {reconstruction: /bin/true}
    output_base: /belle/Data
    """
_ = try await Requests(store: store).submit(Data(request.utf8), name: "bench.yaml", by: actor)
let requestJobs = try await Requests(store: store).jobs(of: "bench").filter { $0.outputLFN != nil }

// Each job as dispatched and run: a description, an output, a report.
let accountant = RequestJobAccountant(store: store)
let pool = try Pool(name: "p", executor: .local, slots: 10)
var ended: [EndedJob] = []
let clock = ContinuousClock()
let describeStart = clock.now
for job in requestJobs {
    let folder = "\(work)/jobs/\(job.id)"
    let element = RequestJobAccountant.element(request: "bench", job: job.id)
    _ = try await accountant.describe(element, JobDispatch(folder: folder, pool: pool, runner: "conveyor-job", attempt: 1))
    ended.append(EndedJob(element: element, folder: folder, pool: pool, status: BatchJobStatus(uuid: "u", arrayIndex: 0, state: .succeeded, exitCode: 0)))
}
let describeTime = clock.now - describeStart
for item in ended {
    // What the runner leaves: the output where the description says, and the report.
    let description = try JobDescription.decode(from: FileManager.default.contents(atPath: item.folder + "/job.json")!)
    let output = description.outputs[0]
    let data = Data("mdst of \(description.job)\n".utf8)
    try FileManager.default.createDirectory(atPath: (output.location as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try data.write(to: URL(fileURLWithPath: output.location))
    var sums = FileChecksums()
    sums.update(data)
    let report = JobReport(
        job: description.job, exitStatus: 0, failure: nil, events: 100,
        outputs: [.init(lfn: output.lfn, location: output.location, size: sums.size, adler32: sums.adler32, sha256: sums.sha256)],
        cpuSeconds: 1, wallSeconds: 1, peakMemoryKilobytes: 1000, values: [.init(key: "events", value: "100")], host: "wn",
        startedAt: .now, endedAt: .now)
    _ = FileManager.default.createFile(atPath: item.folder + "/report.json", contents: report.encoded())
}

let accountStart = clock.now
var registered = 0
for start in stride(from: 0, to: ended.count, by: batch) {
    let verdicts = try await accountant.account(Array(ended[start..<min(start + batch, ended.count)]))
    registered += verdicts.filter { $0.succeeded && $0.detail.hasPrefix("registered") }.count
}
let accountTime = clock.now - accountStart

// The floor: the same number of catalog registrations, same batches, nothing read or checked.
let floorFiles = (0..<ended.count).map { i in
    CatalogFile(
        lfn: "/floor/f\(i)", size: 10, adler32: "00000001", sha256: String(repeating: "a", count: 64), events: 100, run: ExpRun(exp: 8, run: 1 + i % runs),
        level: .mdst, dataTag: nil, release: "r1", job: "floor", parents: [raw[i % raw.count].lfn], replicas: [Replica(site: "SITE", path: "/floor/f\(i)")])
}
let floorStart = clock.now
for start in stride(from: 0, to: floorFiles.count, by: batch) {
    let part = Array(floorFiles[start..<min(start + batch, floorFiles.count)])
    try await store.write { session in _ = try await session.registerFiles(part, at: .now) }
}
let floorTime = clock.now - floorStart

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
let backend = if case .sqlite = location { "SQLite" } else { "PostgreSQL" }
print("backend: \(backend); jobs: \(ended.count); batch: \(batch)")
print(String(format: "describe: %.0f jobs/s (%.2f ms each)", Double(ended.count) / seconds(describeTime), seconds(describeTime) * 1000 / Double(ended.count)))
print(String(format: "account:  %.0f reports/s (%d registered, %.2f s)", Double(ended.count) / seconds(accountTime), registered, seconds(accountTime)))
print(String(format: "floor:    %.0f registrations/s (%.2f s)", Double(floorFiles.count) / seconds(floorTime), seconds(floorTime)))
await store.close()
