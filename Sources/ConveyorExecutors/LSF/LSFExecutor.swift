import ConveyorCore
import Foundation

/// Runs jobs through IBM Spectrum LSF, as KEKCC's production queue (`bsub -q b2_prod`).
///
/// A submission is one job array `bsub -J "<UUID>[1-N]"` (split into several arrays only beyond
/// `max_array_size`, LSF's MAX_JOB_ARRAY_SIZE, default 1000), its script on standard input;
/// element `LSB_JOBINDEX` runs folder `LSB_JOBINDEX - 1 + offset`. A polling cycle makes one
/// `bjobs -json -o …` call for the unfinished jobs and one `bjobs -d -json -o …` for the jobs that
/// finished, whatever the number of jobs; jobs LSF has cleaned (after CLEAN_PERIOD) are found by
/// the result file in their folder. The job name is the submission's UUID, so a restarted
/// scheduler finds a submission with `bjobs -a -J`.
///
/// LSF cannot be installed on Conveyor's test machines: this executor is tested against fake
/// `bsub`/`bjobs`/`bkill` whose answers follow IBM's documented formats (LSF 10.1 command reference).
///
/// Pool options: `queue` (`-q`), `project` (`-P`), `max_array_size`, `commands` (a folder
/// holding the LSF tools, else PATH).
public final class LSFExecutor: BatchExecutor {
    public let kind = ExecutorKind.lsf
    public let tools: BatchCommands
    let queue: String?
    let project: String?
    let maxArraySize: Int

    public init(options: [String: String], tools: BatchCommands? = nil) {
        self.tools = tools ?? BatchCommands(folder: options["commands"])
        self.queue = options["queue"]
        self.project = options["project"]
        self.maxArraySize = options["max_array_size"].flatMap { Int($0) }.map { max(1, $0) } ?? 1_000
    }

    static let fields = "jobid jobindex stat exit_code exit_reason cpu_used max_mem run_time job_name"

    public func submit(_ submission: BatchSubmission) async throws(ConveyorError) -> String {
        try JobFolders.prepare(submission)
        let wrapper = try JobFolders.writeElementWrapper(submission)
        var ids: [String] = []
        for start in stride(from: 0, to: submission.jobs.count, by: maxArraySize) {
            let count = min(maxArraySize, submission.jobs.count - start)
            var arguments = ["-J", "\(submission.uuid)[1-\(count)]", "-o", "/dev/null", "-e", "/dev/null", "-cwd", submission.directory]
            if let queue { arguments += ["-q", queue] }
            if let project { arguments += ["-P", project] }
            if let seconds = submission.timeLimitSeconds { arguments += ["-W", String(max(1, (seconds + 59) / 60))] }
            let script = """
                #!/bin/sh
                # Conveyor submission \(submission.uuid), elements \(start)–\(start + count - 1)
                exec /bin/sh "\(wrapper)" "\(submission.directory)/$((LSB_JOBINDEX - 1 + \(start)))" "lsf $LSB_JOBID"

                """
            let out = try await tools.succeed("bsub", arguments, input: script)
            guard let id = Self.submittedID(out) else {
                throw .unavailable("bsub answered '\(out.trimmingCharacters(in: .whitespacesAndNewlines))' instead of 'Job <ID> is submitted …'")
            }
            ids.append("\(id)+\(start)")
        }
        return ids.joined(separator: ",")
    }

    /// `Job <1234> is submitted to queue <b2_prod>.` → 1234.
    static func submittedID(_ text: String) -> String? {
        guard let open = text.range(of: "Job <"), let close = text[open.upperBound...].firstIndex(of: ">") else { return nil }
        let id = String(text[open.upperBound..<close])
        return Int(id) != nil && text.contains("is submitted") ? id : nil
    }

    public func find(uuid: String, directory: String) async throws(ConveyorError) -> String? {
        let out = try await tools.run("bjobs", ["-a", "-json", "-o", "jobid job_name", "-J", "\(uuid)*"])
        guard out.status == 0 || out.stdout.contains("RECORDS") else {
            if (out.stderr + out.stdout).contains("not found") || (out.stderr + out.stdout).contains("No job found") { return nil }
            throw .unavailable("bjobs failed: \(out.stderr.split(separator: "\n").first.map(String.init) ?? "exit code \(out.status)")")
        }
        // Array parents by job id, each with the element offset the job names carry.
        var offsets: [String: Int] = [:]
        for record in try Self.records(out.stdout) {
            guard let id = record["JOBID"], let name = record["JOB_NAME"], name.hasPrefix(uuid) else { continue }
            offsets[id] = offsets[id] ?? 0
        }
        guard !offsets.isEmpty else { return nil }
        // Job ids rise with submission order, as the arrays were sent.
        let sorted = offsets.keys.sorted { (Int($0) ?? 0) < (Int($1) ?? 0) }
        return sorted.enumerated().map { "\($0.element)+\($0.offset * maxArraySize)" }.joined(separator: ",")
    }

    public func poll(_ submissions: [TrackedSubmission]) async throws(ConveyorError) -> [BatchJobStatus] {
        var owners: [String: (TrackedSubmission, Int)] = [:]
        for s in submissions { for part in ArrayJobIDs.parts(s.externalID) { owners[part.job] = (s, part.offset) } }
        guard !owners.isEmpty else { return [] }
        var statuses: [String: BatchJobStatus] = [:]
        func key(_ uuid: String, _ index: Int) -> String { "\(uuid)#\(index)" }
        func take(_ text: String) throws(ConveyorError) {
            for record in try Self.records(text) {
                guard let id = record["JOBID"], let (owner, offset) = owners[id], let element = record["JOBINDEX"].flatMap({ Int($0) }) else { continue }
                let index = element - 1 + offset
                guard owner.arrayIndices.contains(index), let status = Self.status(record, uuid: owner.uuid, index: index) else { continue }
                statuses[key(owner.uuid, index)] = status
            }
        }
        let ids = owners.keys.sorted()
        try take(try await bjobs([], ids))
        // Finished jobs (until LSF cleans them), then the folders of those it has cleaned.
        let open = ids.filter { id in
            guard let (owner, _) = owners[id] else { return false }
            return owner.arrayIndices.contains { statuses[key(owner.uuid, $0)] == nil }
        }
        if !open.isEmpty { try take(try await bjobs(["-d"], open)) }
        for s in submissions {
            for index in s.arrayIndices where statuses[key(s.uuid, index)] == nil {
                if let end = JobFolders.recordedEnd(uuid: s.uuid, directory: s.directory, arrayIndex: index) { statuses[key(s.uuid, index)] = end }
            }
        }
        return Array(statuses.values)
    }

    /// One `bjobs -json -o FIELDS [-d] IDS…`; jobs LSF does not know answer "not found" records, not an error.
    private func bjobs(_ extra: [String], _ ids: [String]) async throws(ConveyorError) -> String {
        let out = try await tools.run("bjobs", extra + ["-json", "-o", Self.fields] + ids)
        guard out.status == 0 || out.stdout.contains("RECORDS") else {
            throw .unavailable("bjobs failed: \(out.stderr.split(separator: "\n").first.map(String.init) ?? "exit code \(out.status)")")
        }
        return out.stdout
    }

    /// The records of `bjobs -json`: `{"COMMAND":"bjobs","JOBS":N,"RECORDS":[{"JOBID":"1234",…},…]}`,
    /// every value a string; a job LSF does not know is a record with an `ERROR`.
    static func records(_ text: String) throws(ConveyorError) -> [[String: String]] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return [] }
        guard let object = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [String: Any], let records = object["RECORDS"] as? [[String: Any]]
        else {
            throw .unavailable("bjobs -json answered with something other than an object with RECORDS")
        }
        return records.compactMap { record in
            guard record["ERROR"] == nil else { return nil }
            var strings: [String: String] = [:]
            for (key, value) in record { strings[key] = (value as? String) ?? (value as? NSNumber)?.stringValue }
            return strings
        }
    }

    /// STAT: PEND, WAIT, PSUSP queued; RUN, PROV, USUSP, SSUSP running; DONE, EXIT ended; UNKWN
    /// (the execution host is unreachable) and ZOMBI are left running, for the lost-job sweep.
    static func status(_ record: [String: String], uuid: String, index: Int) -> BatchJobStatus? {
        guard let stat = record["STAT"] else { return nil }
        let cpu = record["CPU_USED"].flatMap(Self.seconds)
        let wall = record["RUN_TIME"].flatMap(Self.seconds)
        let memory = record["MAX_MEM"].flatMap(Self.kilobytes)
        switch stat {
        case "PEND", "WAIT", "PSUSP": return BatchJobStatus(uuid: uuid, arrayIndex: index, state: .queued)
        case "RUN", "PROV", "USUSP", "SSUSP", "UNKWN", "ZOMBI": return BatchJobStatus(uuid: uuid, arrayIndex: index, state: .running)
        case "DONE":
            return BatchJobStatus(uuid: uuid, arrayIndex: index, state: .succeeded, exitCode: 0, wallSeconds: wall, cpuSeconds: cpu, maxRSSKilobytes: memory)
        case "EXIT":
            let code = record["EXIT_CODE"].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? 1
            let why = record["EXIT_REASON"].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty || $0 == "-" ? nil : $0 }
            var reason = why.map { "\($0) (exit code \(code))" } ?? JobFolders.reason(forExitCode: code) ?? "exit code \(code)"
            if why?.contains("TERM_RUNLIMIT") == true { reason = "time limit reached: \(why!)" }
            if why?.contains("TERM_OWNER") == true || why?.contains("TERM_ADMIN") == true {
                return BatchJobStatus(uuid: uuid, arrayIndex: index, state: .cancelled, exitCode: code, reason: reason, wallSeconds: wall, cpuSeconds: cpu)
            }
            return BatchJobStatus(
                uuid: uuid, arrayIndex: index, state: .failed, exitCode: code, reason: reason, wallSeconds: wall, cpuSeconds: cpu,
                maxRSSKilobytes: memory)
        default:
            return BatchJobStatus(uuid: uuid, arrayIndex: index, state: .failed, reason: "unknown LSF job state \(stat)")
        }
    }

    /// `0.43 second(s)` → 0.43.
    static func seconds(_ text: String) -> Double? {
        text.split(separator: " ").first.flatMap { Double($0) }
    }

    /// `4 Mbytes`, `512 Kbytes`, `1.5 Gbytes` → kilobytes.
    static func kilobytes(_ text: String) -> Int? {
        let parts = text.split(separator: " ")
        guard let number = parts.first.flatMap({ Double($0) }) else { return nil }
        let unit = parts.count > 1 ? parts[1].lowercased() : "kbytes"
        let factor: Double = unit.hasPrefix("g") ? 1_048_576 : unit.hasPrefix("m") ? 1_024 : unit.hasPrefix("t") ? 1_073_741_824 : 1
        return Int(number * factor)
    }

    public func cancel(_ submission: TrackedSubmission) async throws(ConveyorError) {
        for part in ArrayJobIDs.parts(submission.externalID) {
            let out = try await tools.run("bkill", [part.job])
            let said = out.stderr + out.stdout
            // A job that ended or was cleaned has nothing left to stop.
            guard out.status == 0 || said.contains("already finished") || said.contains("not found") || said.contains("No matching job") else {
                throw .unavailable("bkill failed: \(out.stderr.split(separator: "\n").first.map(String.init) ?? "exit code \(out.status)")")
            }
        }
    }
}
