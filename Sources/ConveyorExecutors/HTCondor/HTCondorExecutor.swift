import ConveyorCore
import Foundation

/// Runs jobs through HTCondor: `condor_submit -terse` of one cluster per submission, named by
/// `JobBatchName=<UUID>`; status from `condor_q -json` and, for jobs that left the queue,
/// `condor_history -json`, each asked for up to `chunk` clusters at a time. A held job is a
/// failure carrying its HoldReason, and is removed from the queue.
///
/// Pool options: `commands` (a folder holding the HTCondor tools, else PATH), `requirements`,
/// `request_memory`, `file_transfer: yes` for pools without a shared file system (each element's
/// folder, the job runner and the inputs are transferred in; what the job makes comes back).
/// A time limit is `periodic_remove`; such a removal is reported as the time limit, not a cancel.
public final class HTCondorExecutor: BatchExecutor {
    public let kind = ExecutorKind.htcondor
    public let tools: BatchCommands
    let requirements: String?
    let requestMemory: String?
    let chunk: Int
    let transfersFiles: Bool

    public init(options: [String: String], tools: BatchCommands? = nil, chunk: Int = 500) {
        self.transfersFiles = Pool.transfersFiles(options)
        self.tools = tools ?? BatchCommands(folder: options["commands"])
        self.requirements = options["requirements"]
        self.requestMemory = options["request_memory"]
        self.chunk = chunk
    }

    static let attributes =
        "ClusterId,ProcId,JobStatus,HoldReason,ExitCode,ExitBySignal,ExitSignal,RemoteWallClockTime,RemoteUserCpu,RemoteSysCpu,ImageSize,JobBatchName,RemoveReason,ConveyorTimeLimit"

    public func submit(_ submission: BatchSubmission) async throws(ConveyorError) -> String {
        // Without a shared file system each element's folder is its sandbox: it holds its own script.
        try JobFolders.prepare(submission, ownFolders: transfersFiles)
        let wrapper = try JobFolders.writeElementWrapper(submission)
        var description = """
            universe = vanilla
            JobBatchName = "\(submission.uuid)"
            log = \(submission.directory)/condor.log

            """
        if let requirements { description += "requirements = \(requirements)\n" }
        if let requestMemory { description += "request_memory = \(requestMemory)\n" }
        if let seconds = submission.timeLimitSeconds {
            description += "periodic_remove = (JobStatus == 2) && (time() - EnteredCurrentStatus > \(seconds))\n"
            description += "+ConveyorTimeLimit = \(seconds)\n"
        }
        if transfersFiles {
            // No shared file system: the element's folder (its job.sh, description and conditions),
            // the job runner and the inputs go into the sandbox; what the job makes in it comes back
            // into the element's folder (initialdir) when it exits.
            description += """
                executable = \(wrapper)
                arguments = ". htcondor"
                should_transfer_files = YES
                when_to_transfer_output = ON_EXIT
                output = /dev/null
                error = /dev/null

                """
            for job in submission.jobs {
                let folder = "\(submission.directory)/\(job.arrayIndex)"
                let files = ([folder + "/"] + job.transferIn).map { $0.replacingOccurrences(of: ",", with: "\\,") }
                description += "initialdir = \(folder)\ntransfer_input_files = \(files.joined(separator: ", "))\nqueue\n"
            }
        } else {
            description += """
                executable = /bin/sh
                arguments = "\(wrapper) \(submission.directory)/$(Process) htcondor"
                should_transfer_files = NO
                output = /dev/null
                error = /dev/null
                queue \(submission.jobs.count)

                """
        }
        let file = submission.directory + "/submit.condor"
        do { try description.write(toFile: file, atomically: true, encoding: .utf8) } catch { throw .unavailable("cannot write \(file)") }
        let out = try await tools.succeed("condor_submit", ["-terse", file])
        // "123.0 - 123.4"
        guard let cluster = out.split(separator: ".").first.map({ $0.trimmingCharacters(in: .whitespacesAndNewlines) }), Int(cluster) != nil else {
            throw .unavailable("condor_submit answered '\(out.trimmingCharacters(in: .whitespacesAndNewlines))' instead of a cluster")
        }
        return cluster
    }

    public func find(uuid: String, directory: String) async throws(ConveyorError) -> String? {
        let constraint = "JobBatchName == \"\(uuid)\""
        for tool in ["condor_q", "condor_history"] {
            var arguments = ["-json", "-constraint", constraint, "-attributes", "ClusterId"]
            if tool == "condor_history" { arguments += ["-limit", "1"] }
            if let ad = try Self.ads(try await tools.succeed(tool, arguments)).first, let cluster = ad["ClusterId"] as? Int { return String(cluster) }
        }
        return nil
    }

    public func poll(_ submissions: [TrackedSubmission]) async throws(ConveyorError) -> [BatchJobStatus] {
        var owners: [String: TrackedSubmission] = [:]
        for s in submissions { owners[s.externalID] = s }
        var reports: [String: BatchJobStatus] = [:]
        func key(_ uuid: String, _ index: Int) -> String { "\(uuid)#\(index)" }
        func take(_ ads: [[String: Any]]) {
            for ad in ads {
                guard let cluster = ad["ClusterId"] as? Int, let proc = ad["ProcId"] as? Int, let owner = owners[String(cluster)],
                    owner.arrayIndices.contains(proc), let report = Self.report(ad, uuid: owner.uuid, index: proc)
                else { continue }
                reports[key(owner.uuid, proc)] = report
            }
        }
        let clusters = owners.keys.sorted()
        for start in stride(from: 0, to: clusters.count, by: chunk) {
            let part = clusters[start..<min(start + chunk, clusters.count)]
            take(
                try Self.ads(
                    try await tools.succeed(
                        "condor_q",
                        [
                            "-json", "-constraint", part.map { "ClusterId == \($0)" }.joined(separator: " || "),
                            "-attributes", Self.attributes,
                        ])))
        }
        // Jobs that left the queue: their folders hold the exit code, whether or not the history still has them.
        for s in submissions {
            for index in s.arrayIndices where reports[key(s.uuid, index)] == nil {
                if let end = JobFolders.recordedEnd(uuid: s.uuid, directory: s.directory, arrayIndex: index) { reports[key(s.uuid, index)] = end }
            }
        }
        let left = clusters.filter { id in
            guard let owner = owners[id] else { return false }
            return owner.arrayIndices.contains { reports[key(owner.uuid, $0)] == nil }
        }
        for start in stride(from: 0, to: left.count, by: chunk) {
            let part = left[start..<min(start + chunk, left.count)]
            take(
                try Self.ads(
                    try await tools.succeed(
                        "condor_history",
                        [
                            "-json", "-constraint", part.map { "ClusterId == \($0)" }.joined(separator: " || "),
                            "-attributes", Self.attributes,
                        ])))
        }
        // Held jobs stay in the queue until removed: take them out once they are reported failed.
        let held = reports.values.filter { $0.reason?.hasPrefix("held:") == true }.compactMap { r in
            owners.first { $0.value.uuid == r.uuid }.map { "\($0.key).\(r.arrayIndex)" }
        }
        if !held.isEmpty { _ = try? await tools.run("condor_rm", held) }
        return Array(reports.values)
    }

    /// One job ad as a report. JobStatus: 1 idle, 2 running, 3 removed, 4 completed, 5 held, 6 transferring output, 7 suspended.
    static func report(_ ad: [String: Any], uuid: String, index: Int) -> BatchJobStatus? {
        guard let status = ad["JobStatus"] as? Int else { return nil }
        let wall = (ad["RemoteWallClockTime"] as? Double) ?? (ad["RemoteWallClockTime"] as? Int).map(Double.init)
        let cpu = [ad["RemoteUserCpu"], ad["RemoteSysCpu"]].compactMap { ($0 as? Double) ?? ($0 as? Int).map(Double.init) }
        let rss = ad["ImageSize"] as? Int
        switch status {
        case 1: return BatchJobStatus(uuid: uuid, arrayIndex: index, state: .queued)
        case 2, 6, 7: return BatchJobStatus(uuid: uuid, arrayIndex: index, state: .running)
        case 3:
            if let removal = ad["RemoveReason"] as? String, removal.contains("PeriodicRemove") {
                let limit = (ad["ConveyorTimeLimit"] as? Int).map { "\($0) s" } ?? "its time limit"
                return BatchJobStatus(
                    uuid: uuid, arrayIndex: index, state: .failed, reason: "time limit of \(limit) reached (removed by periodic_remove)",
                    wallSeconds: wall)
            }
            return BatchJobStatus(
                uuid: uuid, arrayIndex: index, state: .cancelled,
                reason: "removed from the queue\((ad["RemoveReason"] as? String).map { ": \($0)" } ?? "")")
        case 4:
            let signalled = (ad["ExitBySignal"] as? Bool) == true
            let code = signalled ? 128 + ((ad["ExitSignal"] as? Int) ?? 0) : (ad["ExitCode"] as? Int) ?? 0
            return BatchJobStatus(
                uuid: uuid, arrayIndex: index, state: code == 0 ? .succeeded : .failed, exitCode: code,
                reason: code == 0 ? nil : signalled ? "killed by signal \(code - 128)" : "exit code \(code)",
                wallSeconds: wall, cpuSeconds: cpu.isEmpty ? nil : cpu.reduce(0, +), maxRSSKilobytes: rss)
        case 5: return BatchJobStatus(uuid: uuid, arrayIndex: index, state: .failed, reason: "held: \((ad["HoldReason"] as? String) ?? "no reason given")")
        default: return BatchJobStatus(uuid: uuid, arrayIndex: index, state: .failed, reason: "unknown HTCondor JobStatus \(status)")
        }
    }

    /// `condor_q -json` prints a JSON array of ads, or nothing when no job matches.
    static func ads(_ text: String) throws(ConveyorError) -> [[String: Any]] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return [] }
        guard let list = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [[String: Any]] else {
            throw .unavailable("HTCondor answered with something other than a JSON list of job ads")
        }
        return list
    }

    public func cancel(_ submission: TrackedSubmission) async throws(ConveyorError) {
        let out = try await tools.run("condor_rm", [submission.externalID])
        // A cluster that left the queue has nothing left to stop.
        guard out.status == 0 || (out.stderr + out.stdout).contains("Couldn't find") else {
            throw .unavailable("condor_rm failed: \(out.stderr.split(separator: "\n").first.map(String.init) ?? "exit code \(out.status)")")
        }
    }
}
