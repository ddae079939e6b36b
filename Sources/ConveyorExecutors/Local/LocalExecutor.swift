import ConveyorCore
import Foundation
import Subprocess
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Runs jobs as processes on this machine: the embedded default executor.
///
/// Each job gets a folder `SUBMISSION/ARRAY_INDEX/`, made by its wrapper, with `stdout`, `stderr`, and,
/// when it ends, `result` (exit code) and `rusage` (wall, user and system CPU seconds, peak
/// memory, from GNU time). The job runs under a small shell wrapper in its own session, so it
/// outlives a scheduler killed with `kill -9`, and the wrapper claims the folder with an
/// exclusive create before running anything: a job is never run twice, even when a restarted
/// scheduler starts the same folder again.
///
/// Jobs are started by a small long-lived shell (the launcher) that reads job folders on its
/// standard input and answers on its standard output when each one ends: forking the scheduler
/// itself for every job would cost milliseconds of its CPU per job.
///
/// ```swift
/// let local = LocalExecutor()
/// let id = try await local.submit(BatchSubmission(uuid: uuid, directory: "/data/jobs/\(uuid)", jobs: jobs, timeLimitSeconds: 3600))
/// let reports = try await local.poll([TrackedSubmission(uuid: uuid, externalID: id, directory: …, arrayIndices: [0, 1])])
/// ```
public final class LocalExecutor: BatchExecutor {
    public let kind = ExecutorKind.local
    /// Called whenever a job this process started has ended, so the scheduler need not wait for its next cycle.
    private let onEnding: @Sendable () -> Void
    /// Job folders whose wrapper this process started, with when it handed them to the launcher
    /// (a restarted scheduler starts the others again).
    private let started = Mutex<[String: ContinuousClock.Instant]>([:])
    /// Folders whose job the launcher saw end since the last poll.
    private let endedFolders = FolderSet()
    private let lastFullLook = Mutex<ContinuousClock.Instant?>(nil)
    /// The running launcher's input, with its generation; none before the first job or after it ended.
    private let launcher = LauncherInput()
    /// A folder handed to the launcher that has no claim after this long is handed again: a
    /// launcher that died or lost a line must not leave a job queued for ever.
    let unclaimedAfter: Duration

    public convenience init(onEnding: @escaping @Sendable () -> Void = {}) {
        self.init(onEnding: onEnding, unclaimedAfter: .seconds(20))
    }

    init(onEnding: @escaping @Sendable () -> Void, unclaimedAfter: Duration) {
        // A launcher that died leaves a closed pipe: writing to it must be an error, not the end of this process.
        signal(SIGPIPE, SIG_IGN)
        self.onEnding = onEnding
        self.unclaimedAfter = unclaimedAfter
    }

    /// The launcher shell's process, while one runs.
    var launcherProcessID: pid_t? { launcher.processID }

    deinit {
        launcher.withLock { $0.input?.finish() }
    }

    /// Starts each folder read from stdin under the wrapper, in its own session, and prints the
    /// folder when the job has ended.
    static let launcher = """
        while IFS= read -r folder; do
          ( setsid -w /bin/sh "${folder%/*}/wrapper.sh" "$folder" < /dev/null > /dev/null 2>&1; echo "$folder" ) &
        done

        """

    static let wrapper = """
        #!/bin/sh
        # Runs one Conveyor job: claims its folder (exactly once), runs it with accounting, records the exit code.
        mkdir -p "$1" && cd "$1" || exit 1
        limit=
        [ -f ../time_limit ] && read -r limit < ../time_limit
        set -C
        { echo $$ > pid; } 2>/dev/null || exit 0
        set +C
        \(JobFolders.runElement)
        if [ -n "$limit" ]; then
          /usr/bin/time -o rusage -f "%e %U %S %M" timeout -k 5 "$limit" /bin/sh "$@" > stdout 2> stderr < /dev/null
        else
          /usr/bin/time -o rusage -f "%e %U %S %M" /bin/sh "$@" > stdout 2> stderr < /dev/null
        fi
        echo $? > result

        """

    public func submit(_ submission: BatchSubmission) async throws(ConveyorError) -> String {
        try JobFolders.prepare(submission)
        let fm = FileManager.default
        var written = fm.createFile(atPath: submission.directory + "/wrapper.sh", contents: Data(Self.wrapper.utf8))
        if let limit = submission.timeLimitSeconds {
            written = written && fm.createFile(atPath: submission.directory + "/time_limit", contents: Data(String(limit).utf8))
        }
        // Written last: a submission without it was interrupted before any job started, and is prepared again.
        written = written && fm.createFile(atPath: submission.directory + "/prepared", contents: nil)
        guard written else { throw .unavailable("cannot prepare job folders in \(submission.directory)") }
        for job in submission.jobs { start("\(submission.directory)/\(job.arrayIndex)") }
        return submission.uuid
    }

    public func find(uuid: String, directory: String) async throws(ConveyorError) -> String? {
        FileManager.default.fileExists(atPath: directory + "/prepared") ? uuid : nil
    }

    public func poll(_ submissions: [TrackedSubmission]) async throws(ConveyorError) -> [BatchJobStatus] {
        var reports: [BatchJobStatus] = []
        // Between full looks (every second) only the jobs the launcher saw end are read; the
        // others this process started are running. Jobs it did not start are always looked at.
        let now = ContinuousClock.now
        let full = lastFullLook.withLock { last in
            guard last.map({ now - $0 >= .seconds(1) }) ?? true else { return false }
            last = now
            return true
        }
        let ended = endedFolders.withLock { folders in
            defer { folders = [] }; return folders
        }
        var unread = Set<String>()
        for submission in submissions {
            var limit: Int?
            var limitRead = false
            for index in submission.arrayIndices {
                let folder = "\(submission.directory)/\(index)"
                let handedAt = started.withLock { $0[folder] }
                if !full, !ended.contains(folder), handedAt != nil {
                    reports.append(BatchJobStatus(uuid: submission.uuid, arrayIndex: index, state: .running))
                    continue
                }
                if !limitRead {
                    limit = (try? String(contentsOfFile: submission.directory + "/time_limit", encoding: .utf8)).flatMap { Int($0) }
                    limitRead = true
                }
                if ended.contains(folder), Self.finished(folder, uuid: submission.uuid, arrayIndex: index, timeLimit: limit) == nil { unread.insert(folder) }
                if let report = Self.finished(folder, uuid: submission.uuid, arrayIndex: index, timeLimit: limit) {
                    reports.append(report)
                } else if let pid = Self.pid(in: folder) {
                    if ProcessProbe.isAlive(pid) {
                        reports.append(BatchJobStatus(uuid: submission.uuid, arrayIndex: index, state: .running))
                    } else if let report = Self.finished(folder, uuid: submission.uuid, arrayIndex: index, timeLimit: limit) {
                        reports.append(report)  // it ended between the two looks
                    } else {
                        reports.append(
                            BatchJobStatus(
                                uuid: submission.uuid, arrayIndex: index, state: .failed, reason: "the job's process \(pid) vanished without a result"))
                    }
                } else if let handedAt, now - handedAt > unclaimedAfter {
                    start(folder)
                    reports.append(BatchJobStatus(uuid: submission.uuid, arrayIndex: index, state: .queued))
                } else if handedAt == nil, FileManager.default.fileExists(atPath: submission.directory + "/prepared") {
                    // Prepared but never started (the scheduler stopped in between), or started by
                    // a scheduler that has since died: the wrapper's claim makes a second start harmless.
                    start(folder)
                    reports.append(BatchJobStatus(uuid: submission.uuid, arrayIndex: index, state: .queued))
                } else {
                    reports.append(BatchJobStatus(uuid: submission.uuid, arrayIndex: index, state: .queued))
                }
            }
        }
        if !unread.isEmpty { endedFolders.withLock { $0.formUnion(unread) } }
        // A reported end is the last the scheduler asks about a job: forget it.
        let directories = Dictionary(submissions.map { ($0.uuid, $0.directory) }, uniquingKeysWith: { a, _ in a })
        let over = reports.filter(\.isFinal).compactMap { report in directories[report.uuid].map { "\($0)/\(report.arrayIndex)" } }
        if !over.isEmpty { started.withLock { for folder in over { $0[folder] = nil } } }
        return reports
    }

    public func cancel(_ submission: TrackedSubmission) async throws(ConveyorError) {
        for index in submission.arrayIndices {
            let folder = "\(submission.directory)/\(index)"
            // The folder of an element that has not started yet is made here, to hold the claim.
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: folder + "/cancelled", contents: nil)
            if let pid = Self.pid(in: folder), ProcessProbe.isAlive(pid) {
                kill(-pid, SIGTERM)  // the wrapper leads its own session: this reaches the job too
            } else if Self.pid(in: folder) == nil {
                // Not started: claim it so that no wrapper ever runs it.
                try? "cancelled\n".write(toFile: folder + "/pid", atomically: false, encoding: .utf8)
            }
        }
    }

    /// Hands a folder to the launcher, started on first use and again after it ended.
    private func start(_ folder: String) {
        started.withLock { $0[folder] = .now }
        let (input, fresh) = launcher.withLock { current -> (AsyncStream<String>.Continuation, (Int, AsyncStream<String>)?) in
            if let input = current.input { return (input, nil) }
            let (stream, input) = AsyncStream.makeStream(of: String.self)
            current = (current.generation + 1, input)
            return (input, (current.generation, stream))
        }
        if let (generation, stream) = fresh {
            let onEnding = self.onEnding
            let ended = endedFolders
            let launcher = self.launcher
            Task.detached {
                await Self.runLauncher(stream, started: { launcher.processID = $0 }) { folders in
                    ended.withLock { $0.formUnion(folders) }
                    onEnding()
                }
                // Folders it had not started yet are handed again by `poll` once unclaimed.
                launcher.withLock { if $0.generation == generation { $0.input = nil } }
                launcher.processID = nil
            }
        }
        input.yield(folder)
    }

    private static func runLauncher(
        _ folders: AsyncStream<String>, started: @Sendable (pid_t) -> Void, onEnding: @escaping @Sendable ([String]) -> Void
    ) async {
        _ = try? await Subprocess.run(.path("/bin/sh"), arguments: ["-c", launcher], input: .inputWriter, output: .sequence, error: .discarded) { execution in
            started(execution.processIdentifier.value)
            let writer = execution.standardInputWriter
            let endings = execution.standardOutput
            await withTaskGroup(of: Bool.self) { group in
                group.addTask {
                    _ = try? await {
                        // One line per ended job: its folder.
                        for try await line in endings.strings() where !line.isEmpty { onEnding([line]) }
                    }()
                    return true
                }
                group.addTask {
                    for await folder in folders { _ = try? await writer.write(folder + "\n") }
                    try? await writer.finish()
                    return false
                }
                // The launcher's output ending first means it died: stop feeding it, so a new one is started.
                if await group.next() == true { group.cancelAll() }
            }
        }
    }

    static func finished(_ folder: String, uuid: String, arrayIndex: Int, timeLimit: Int?) -> BatchJobStatus? {
        guard let text = try? String(contentsOfFile: folder + "/result", encoding: .utf8), let code = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            if FileManager.default.fileExists(atPath: folder + "/cancelled"), let pid = pid(in: folder), !ProcessProbe.isAlive(pid) {
                return BatchJobStatus(uuid: uuid, arrayIndex: arrayIndex, state: .cancelled, reason: "cancelled")
            }
            return nil
        }
        var report = BatchJobStatus(uuid: uuid, arrayIndex: arrayIndex, state: code == 0 ? .succeeded : .failed, exitCode: code)
        // GNU time writes "Command exited with non-zero status N" first when the job failed; the figures are on the last line.
        if let usage = try? String(contentsOfFile: folder + "/rusage", encoding: .utf8),
            let last = usage.split(separator: "\n").last?.split(separator: " "), last.count == 4
        {
            report.wallSeconds = Double(last[0])
            if let user = Double(last[1]), let system = Double(last[2]) { report.cpuSeconds = user + system }
            report.maxRSSKilobytes = Int(last[3])
        }
        if FileManager.default.fileExists(atPath: folder + "/cancelled") {
            report.state = .cancelled
            report.reason = "cancelled"
        } else if code == 124 || (code == 137 && timeLimit != nil) {
            report.reason = "time limit of \(timeLimit ?? 0) s exceeded"
        } else {
            report.reason = JobFolders.reason(forExitCode: code)
        }
        return report
    }

    static func pid(in folder: String) -> pid_t? {
        (try? String(contentsOfFile: folder + "/pid", encoding: .utf8)).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

}

/// The launcher's input with its generation, shared with the task that runs it.
final class LauncherInput: Sendable {
    private let state = Mutex<(generation: Int, input: AsyncStream<String>.Continuation?)>((0, nil))
    private let process = Mutex<pid_t?>(nil)

    var processID: pid_t? {
        get { process.withLock { $0 } }
        set { process.withLock { $0 = newValue } }
    }

    func withLock<T>(_ body: (inout (generation: Int, input: AsyncStream<String>.Continuation?)) -> T) -> T { state.withLock { body(&$0) } }
}

/// A set of folders shared with the launcher's reader.
final class FolderSet: Sendable {
    private let folders = Mutex<Set<String>>([])

    func withLock<T>(_ body: (inout Set<String>) -> T) -> T { folders.withLock { body(&$0) } }
}
