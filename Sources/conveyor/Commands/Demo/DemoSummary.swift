import ConveyorConditions
import ConveyorCore
import ConveyorDataManagement
import ConveyorMonitoring
import ConveyorRequests
import ConveyorRuns
import ConveyorStore
import ConveyorWorkflow
import Foundation

/// What the demo made: runs and luminosity, payloads in the prompt tag, files per level and skim,
/// the mass peak before and after calibration, wall time per step, and where to look next.
struct DemoSummary {
    let store: Store
    let folder: String
    let started: ContinuousClock.Instant?

    /// One line per figure, also what the demo's test reads.
    func print() async throws {
        let requests = Requests(store: store)
        let detail = try await requests.show(DemoRun.request)
        let bucket = try await RunRegistry(store: store).bucket(named: DemoRun.bucket).bucket
        out("")
        out("== Summary ==")
        out(
            String(
                format: "runs: %d GOOD runs in %@ (experiment %d, runs %d–%d), %.1f /pb", bucket.members.count, bucket.name, bucket.exp,
                bucket.firstRun, bucket.lastRun, bucket.luminosity))

        let conditions = ConditionsDatabase(store: store)
        let updated = try await conditions.entries(ofTag: "demo_prompt").filter { $0.iov.expLow == DemoRun.exp && $0.iov.runLow >= bucket.firstRun }
        out(
            "payloads in demo_prompt: \(updated.count) IoVs from the running update: "
                + Dictionary(grouping: updated, by: \.name).sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value.count)" }.joined(separator: ", "))

        for o in detail.outputs {
            out(
                String(
                    format: "files: %@ %@ %@: %d files, %lld events, %.2f /pb", o.step, o.level.rawValue, o.dataTag ?? "all", o.files, o.events,
                    o.luminosity ?? 0))
        }

        let dm = DataManagement(store: store)
        for line in try await DemoRound.summary(store) { out(line) }
        for line in try await DemoMonteCarlo.summary(store) { out(line) }
        let endpoints = try await dm.endpoints()
        out("storage: " + endpoints.map { "\($0.endpoint.name) \(ByteCount.describe($0.usedBytes)) in \($0.files) files" }.joined(separator: ", "))
        let rules = try await dm.rules(request: DemoRun.request)
        out(
            "rules of \(DemoRun.request): "
                + rules.map { "\($0.target) on \($0.expression) \($0.state.rawValue)" }.joined(separator: ", ")
                + " (ended: the staging of the raw data from tape, and the calibration cDST after its lifetime)")

        let reports = try await requests.jobs(of: DemoRun.request, step: "quality-report").compactMap(\.report)
        let statuses = reports.compactMap { $0.split(separator: "\n").first { $0.hasPrefix("status=") }?.dropFirst("status=".count) }
        out(
            "quality: \(statuses.count) run(s) compared with the reference: "
                + Dictionary(grouping: statuses, by: { String($0) }).sorted { $0.key < $1.key }.map { "\($0.value.count) \($0.key)" }.joined(separator: ", "))

        let (before, after) = try await massPeaks(bucket: bucket, submittedAt: detail.summary.record.submittedAt)
        out(
            String(
                format: "calibration: mass peak before (demo_prompt as submitted): mean %.4f, width %.4f GeV, %d candidates", before.mean, before.width,
                before.candidates))
        out(
            String(
                format: "calibration: mass peak after (demo_prompt now):          mean %.4f, width %.4f GeV (reference %.3f): %.1f× narrower, bias %.4f → %.4f",
                after.mean, after.width, 3.097, before.width / max(after.width, 1e-9), before.mean - 3.097, after.mean - 3.097))
        let runs = Set(try await Requests(store: store).jobs(of: DemoRun.request).map(\.run))
        let monitored = try await QualityMonitoring(store: store).summed("physics/mass_peak", processings: ["express", "prompt"], runs: runs)
        if monitored.count == 2, let express = monitored[0].histogram.mean, let prompt = monitored[1].histogram.mean {
            out(
                String(
                    format:
                        "monitoring: physics/mass_peak of the bucket's runs, express (before) mean %.4f → prompt (after) %.4f GeV; plotted on /requests/%@#mass-peak",
                    express.value, prompt.value, DemoRun.request))
        }

        if let id = detail.summary.record.workflowID {
            let tasks = try await Workflows(store: store).show(id).tasks
            var spans: [String: (Timestamp, Timestamp)] = [:]
            for task in tasks {
                guard let start = task.startedAt, let end = task.finishedAt else { continue }
                let step = detail.request.step(ofTask: task.name)
                let span = spans[step] ?? (start, end)
                spans[step] = (min(span.0, start), max(span.1, end))
            }
            let order = detail.steps.map(\.name)
            let times = spans.sorted { (order.firstIndex(of: $0.key) ?? 99) < (order.firstIndex(of: $1.key) ?? 99) }.map { step, span in
                String(format: "%@ %.1f s", step, Double(span.1.microsecondsSinceEpoch - span.0.microsecondsSinceEpoch) / 1e6)
            }
            out("wall time per step: " + times.joined(separator: ", "))
        }
        let turnaround = try await requests.turnaround(of: DemoRun.request).turnaround
        let parts = turnaround.parts
        out(
            String(
                format: "turnaround: %.1f s from submission to the end: compute %.1f s, batch slots %.1f s, data %.1f s, people %.1f s, other %.1f s",
                turnaround.wallSeconds, parts.compute, parts.batchSlots, parts.data, parts.people, parts.other)
                + " (sign-offs: "
                + turnaround.signoffs.filter { $0.kind == "sign-off" }.map {
                    String(format: "%@ %.1f s by %@", $0.task, $0.waitedSeconds, $0.who ?? "nobody yet")
                }
                .joined(separator: ", ") + ")")
        if let started {
            let seconds = Double((ContinuousClock.now - started).components.seconds)
            out(String(format: "total: %.0f s", seconds))
        }
        out("look at it all: conveyor serve --db \(folder)/conveyor.sqlite --anonymous-read, then http://127.0.0.1:8080/requests/\(DemoRun.request)")
    }

    /// The hadron mass peak of the bucket's hadron skims reconstructed with the prompt tag as it
    /// was when the request was submitted, and as it is now.
    private func massPeaks(bucket: Bucket, submittedAt: Timestamp) async throws -> (MassPeakFigures, MassPeakFigures) {
        let sim = try DemoRun.simulator()
        let conditions = ConditionsDatabase(store: store)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("conveyor-demo-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var before: [MassPeakFigures] = [], after: [MassPeakFigures] = []
        for member in bucket.members {
            let run = ExpRun(exp: bucket.exp, run: member.run)
            let raw = "\(folder)/data/raw/e\(String(format: "%04d", bucket.exp))/r\(String(format: "%05d", member.run)).hlt_hadron.raw"
            for (asOf, into) in [(Optional(submittedAt), 0), (nil, 1)] {
                let dir = "\(scratch)/\(member.run)-\(into)"
                try await conditions.exportResolved(tags: ["demo_prompt", "demo_online"], at: run, to: dir, asOf: asOf)
                let figures = try MassPeakFigures(json: Data(try await DemoRun.simulate(sim, ["masses", "--conditions", dir, raw]).utf8))
                if into == 0 { before.append(figures) } else { after.append(figures) }
            }
        }
        return (MassPeakFigures(combining: before), MassPeakFigures(combining: after))
    }

    func out(_ text: String) { Swift.print(text) }
}

/// A mass peak as `conveyor-sim masses` prints it, and several runs' peaks combined.
struct MassPeakFigures: Decodable {
    var candidates: Int
    var mean: Double
    var width: Double

    init(json: Data) throws {
        self = try JSONDecoder().decode(Self.self, from: json)
    }

    init(combining peaks: [MassPeakFigures]) {
        let n = peaks.reduce(0) { $0 + $1.candidates }
        candidates = n
        mean = n == 0 ? 0 : peaks.reduce(0) { $0 + Double($1.candidates) * $1.mean } / Double(n)
        let m = mean
        let squares = peaks.reduce(0.0) { $0 + Double(max($1.candidates - 1, 0)) * $1.width * $1.width + Double($1.candidates) * ($1.mean - m) * ($1.mean - m) }
        width = n < 2 ? 0 : (squares / Double(n - 1)).squareRoot()
    }
}
