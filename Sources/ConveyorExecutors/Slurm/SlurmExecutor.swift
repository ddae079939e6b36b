import ConveyorCore
import Foundation

/// Runs jobs through Slurm.
///
/// A submission is one `sbatch --parsable --job-name=<UUID> --array=0-N` (split into several
/// calls only beyond `MaxArraySize`); each element's script runs in its folder and writes its
/// stdout and stderr there. A polling cycle makes one `squeue` call for every tracked job, and one
/// `sacct` call for the jobs that left the queue (`scontrol show job` when accounting is off),
/// whatever the number of jobs.
///
/// Pool options: `partition`, `account`, `max_array_size` (else read once from `scontrol show
/// config`), `commands` (a folder holding the Slurm tools, else PATH).
public final class SlurmExecutor: BatchExecutor {
    public let kind = ExecutorKind.slurm
    public let tools: BatchCommands
    let partition: String?
    let account: String?
    let configuredMaxArraySize: Int?

    public init(options: [String: String], tools: BatchCommands? = nil) {
        self.tools = tools ?? BatchCommands(folder: options["commands"])
        self.partition = options["partition"]
        self.account = options["account"]
        self.configuredMaxArraySize = options["max_array_size"].flatMap { Int($0) }
    }

    /// Slurm's MaxArraySize: array indices must stay below it.
    func maxArraySize() async throws(ConveyorError) -> Int {
        if let configuredMaxArraySize { return configuredMaxArraySize }
        let config = try await tools.succeed("scontrol", ["show", "config"])
        for line in config.split(separator: "\n") where line.hasPrefix("MaxArraySize") {
            if let value = line.split(separator: "=").last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) { return value }
        }
        return 1_001
    }

    public func submit(_ submission: BatchSubmission) async throws(ConveyorError) -> String {
        try JobFolders.prepare(submission)
        let wrapper = try JobFolders.writeElementWrapper(submission)
        let limit = try await maxArraySize()
        var ids: [String] = []
        for start in stride(from: 0, to: submission.jobs.count, by: limit) {
            let count = min(limit, submission.jobs.count - start)
            var arguments = [
                "--parsable", "--job-name=\(submission.uuid)", "--array=0-\(count - 1)", "--output=/dev/null", "--error=/dev/null",
                "--chdir=\(submission.directory)",
            ]
            if let partition { arguments.append("--partition=\(partition)") }
            if let account { arguments.append("--account=\(account)") }
            if let seconds = submission.timeLimitSeconds { arguments.append("--time=\(max(1, (seconds + 59) / 60))") }
            let script = """
                #!/bin/sh
                # Conveyor submission \(submission.uuid), elements \(start)–\(start + count - 1)
                exec /bin/sh "\(wrapper)" "\(submission.directory)/$((SLURM_ARRAY_TASK_ID + \(start)))" "slurm $SLURM_ARRAY_JOB_ID"

                """
            let out = try await tools.succeed("sbatch", arguments, input: script)
            guard let id = out.split(separator: "\n").first?.split(separator: ";").first.map(String.init), Int(id) != nil else {
                throw .unavailable("sbatch answered '\(out.trimmingCharacters(in: .whitespacesAndNewlines))' instead of a job id")
            }
            ids.append("\(id)+\(start)")
        }
        return ids.joined(separator: ",")
    }

    public func find(uuid: String, directory: String) async throws(ConveyorError) -> String? {
        // Array parents of this name still in the queue, else in accounting.
        let queued = try await tools.succeed("squeue", ["-h", "--name=\(uuid)", "-o", "%F"])
        var ids = Set(queued.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        if ids.isEmpty {
            let accounted = try await tools.run("sacct", ["-n", "-X", "-P", "--name=\(uuid)", "-o", "JobID"])
            if accounted.status == 0 {
                ids = Set(accounted.stdout.split(separator: "\n").compactMap { $0.split(separator: "_").first.map(String.init) })
            } else {
                // Accounting is off: the controller still knows jobs that ended within MinJobAge.
                for line in try await tools.succeed("scontrol", ["show", "job", "-o"]).split(separator: "\n") where line.contains(" JobName=\(uuid) ") {
                    if let parent = line.split(separator: " ").first(where: { $0.hasPrefix("ArrayJobId=") })?.dropFirst("ArrayJobId=".count) {
                        ids.insert(String(parent))
                    }
                }
            }
        }
        guard !ids.isEmpty else { return nil }
        // Offsets of split arrays come back from the scripts' order: job ids rise with submission order.
        let limit = try await maxArraySize()
        return ids.compactMap { Int($0) }.sorted().enumerated().map { "\($1)+\($0 * limit)" }.joined(separator: ",")
    }

    public func poll(_ submissions: [TrackedSubmission]) async throws(ConveyorError) -> [BatchJobStatus] {
        guard !submissions.isEmpty else { return [] }
        // Slurm array job id → (submission, offset).
        var owners: [String: (TrackedSubmission, Int)] = [:]
        for submission in submissions { for (job, offset) in ArrayJobIDs.parts(submission.externalID) { owners[job] = (submission, offset) } }
        var reports: [String: BatchJobStatus] = [:]
        func key(_ uuid: String, _ index: Int) -> String { "\(uuid)#\(index)" }
        func record(_ job: String, _ task: Int, state text: String, exit: Int?, reason: String?, wall: Double? = nil, rss: Int? = nil) {
            guard let (submission, offset) = owners[job] else { return }
            let index = offset + task
            guard submission.arrayIndices.contains(index) else { return }
            var (state, why) = SlurmState.report(text, exitCode: exit)
            if let reason, reason != "None", state != .succeeded, state != .running { why = [why, reason].compactMap { $0 }.joined(separator: "; ") }
            if state == .queued || state == .running { why = nil }
            reports[key(submission.uuid, index)] = BatchJobStatus(
                uuid: submission.uuid, arrayIndex: index, state: state, exitCode: exit, reason: why,
                wallSeconds: wall, maxRSSKilobytes: rss)
        }
        let asked = try await tools.run("squeue", ["-h", "-r", "--jobs=\(owners.keys.sorted().joined(separator: ","))", "-o", "%F|%K|%T|%r"])
        // squeue refuses a list of jobs that all left the controller (MinJobAge): none is queued then.
        guard asked.status == 0 || asked.stderr.contains("Invalid job id") else {
            throw .unavailable("squeue failed: \(asked.stderr.split(separator: "\n").first.map(String.init) ?? "exit code \(asked.status)")")
        }
        let queue = asked.status == 0 ? asked.stdout : ""
        for line in queue.split(separator: "\n") {
            let f = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 4, let task = Int(f[1]) else { continue }
            record(f[0], task, state: f[2], exit: nil, reason: f[3])
        }
        let missing = submissions.flatMap { s in s.arrayIndices.filter { reports[key(s.uuid, $0)] == nil }.map { (s, $0) } }
        guard !missing.isEmpty else { return Array(reports.values) }
        // Ended jobs: their folders hold the exit code, whether or not Slurm still remembers them;
        // accounting adds its reasons (TIMEOUT, OUT_OF_MEMORY) and figures where it has them.
        var recorded: [String: BatchJobStatus] = [:]
        for (s, index) in missing {
            if let end = JobFolders.recordedEnd(uuid: s.uuid, directory: s.directory, arrayIndex: index) { recorded[key(s.uuid, index)] = end }
        }
        let jobs = Set(missing.flatMap { s, _ in ArrayJobIDs.parts(s.externalID).map(\.job) }).sorted()
        let accounting = try await tools.run(
            "sacct", ["-n", "-P", "-X", "--jobs=\(jobs.joined(separator: ","))", "-o", "JobID,State,ExitCode,ElapsedRaw,Reason"])
        if accounting.status == 0 {
            for line in accounting.stdout.split(separator: "\n") {
                let f = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                let id = f[0].split(separator: "_")
                guard f.count >= 5, id.count == 2, let task = Int(id[1]) else { continue }
                record(String(id[0]), task, state: f[1], exit: SlurmState.exitCode(f[2]), reason: f[4], wall: Double(f[3]))
            }
        } else {
            // Accounting is off: the controller still knows jobs that ended within MinJobAge.
            let shown = try await tools.run("scontrol", ["show", "job", "-o"])
            for line in shown.stdout.split(separator: "\n") {
                var fields: [String: String] = [:]
                for pair in line.split(separator: " ") {
                    let kv = pair.split(separator: "=", maxSplits: 1)
                    if kv.count == 2 { fields[String(kv[0])] = String(kv[1]) }
                }
                guard let parent = fields["ArrayJobId"], let task = fields["ArrayTaskId"].flatMap({ Int($0) }), let state = fields["JobState"] else { continue }
                record(parent, task, state: state, exit: fields["ExitCode"].flatMap(SlurmState.exitCode), reason: fields["Reason"])
            }
        }
        for (k, end) in recorded {
            // Slurm's word, while it still knows the job, says how it stands and why it ended (COMPLETING
            // becomes COMPLETED or FAILED with its reason); the folder speaks for jobs Slurm forgot.
            guard var report = reports[k] else { reports[k] = end; continue }
            if report.isFinal, report.exitCode == nil { report.exitCode = end.exitCode }
            reports[k] = report
        }
        return Array(reports.values)
    }

    public func cancel(_ submission: TrackedSubmission) async throws(ConveyorError) {
        for (job, _) in ArrayJobIDs.parts(submission.externalID) {
            let out = try await tools.run("scancel", [job])
            // A job Slurm no longer knows has nothing left to stop.
            guard out.status == 0 || out.stderr.contains("Invalid job id") else {
                throw .unavailable("scancel failed: \(out.stderr.split(separator: "\n").first.map(String.init) ?? "exit code \(out.status)")")
            }
        }
    }
}
