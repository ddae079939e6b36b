import ConveyorCore
@testable import ConveyorExecutors
import ConveyorJob
import ConveyorTestSupport
import Foundation
import Testing

/// The HTCondor executor against a real single-host pool: HTCondor 23 from Debian 13 in a
/// debootstrap root that `scripts/test` starts (`scripts/htcondor`). `CONVEYOR_TEST_HTCONDOR_BIN`
/// holds the pool's `condor_*` commands, `CONVEYOR_TEST_HTCONDOR_SHARE` the folder mounted at the
/// same path inside the root (job folders go there), `CONVEYOR_TEST_JOB_RUNNER` a statically
/// linked `conveyor-job` for jobs that carry their runner.
enum HTCondorPool {
    static let environment = ProcessInfo.processInfo.environment
    static let bin = environment["CONVEYOR_TEST_HTCONDOR_BIN"]
    static let share = environment["CONVEYOR_TEST_HTCONDOR_SHARE"]
    /// Without a pool the suite is skipped, except in CI, where it must fail.
    static let wanted = bin != nil || environment["CI"] == "true"
}

@Suite("HTCondor pool", .serialized, .enabled(if: HTCondorPool.wanted))
struct HTCondorPoolTests {
    static let environment = HTCondorPool.environment
    static let bin = HTCondorPool.bin
    static let share = HTCondorPool.share

    func pool(_ options: [String: String] = [:]) throws -> (HTCondorExecutor, String) {
        guard let bin = Self.bin, let share = Self.share else {
            throw ConveyorError.unavailable("CONVEYOR_TEST_HTCONDOR_BIN is not set: scripts/test starts an HTCondor pool")
        }
        let root = "\(share)/t-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        return (HTCondorExecutor(options: options.merging(["commands": bin]) { a, _ in a }), root)
    }

    /// Polls until every index is final (at most `seconds`). - Returns: the final statuses by index.
    func waitForEnd(_ executor: HTCondorExecutor, _ tracked: TrackedSubmission, seconds: Int = 120) async throws -> [Int: BatchJobStatus] {
        var ended: [Int: BatchJobStatus] = [:]
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ended.count < tracked.arrayIndices.count, ContinuousClock.now < deadline {
            let open = tracked.arrayIndices.filter { ended[$0] == nil }
            for status in try await executor.poll([
                TrackedSubmission(
                    uuid: tracked.uuid, externalID: tracked.externalID, directory: tracked.directory,
                    arrayIndices: open)
            ]) where status.isFinal {
                ended[status.arrayIndex] = status
            }
            if ended.count < tracked.arrayIndices.count { try await Task.sleep(for: .seconds(1)) }
        }
        return ended
    }

    func submit(
        _ executor: HTCondorExecutor, _ root: String, _ commands: [String], timeLimit: Int? = nil,
        transferIn: [String] = []
    ) async throws -> TrackedSubmission {
        let uuid = UUID().uuidString.lowercased()
        let directory = "\(root)/\(uuid)"
        let id = try await executor.submit(
            BatchSubmission(
                uuid: uuid, directory: directory,
                jobs: commands.enumerated().map {
                    .init(arrayIndex: $0.offset, command: $0.element, environment: ["CONVEYOR_ARRAY_INDEX": String($0.offset)], transferIn: transferIn)
                }, timeLimitSeconds: timeLimit))
        return TrackedSubmission(uuid: uuid, externalID: id, directory: directory, arrayIndices: Array(commands.indices))
    }

    @Test func aClusterOf100JobsWithAFailureEndsAndIsFoundInTheHistory() async throws {
        let (executor, root) = try pool()
        let commands = (0..<100).map { $0 == 7 ? "echo broken >&2; exit 3" : "echo element $CONVEYOR_ARRAY_INDEX" }
        let tracked = try await submit(executor, root, commands)
        let ended = try await waitForEnd(executor, tracked, seconds: 240)
        #expect(ended.count == 100, "all 100 ended: \(ended.count)")
        #expect(ended.values.filter { $0.state == .succeeded }.count == 99)
        #expect(ended[7]?.state == .failed && ended[7]?.reason == "exit code 3", "\(String(describing: ended[7]))")
        #expect(try String(contentsOfFile: "\(tracked.directory)/42/stdout", encoding: .utf8) == "element 42\n")
        // Gone from the queue, still found by name (a restarted scheduler adopts it instead of resubmitting).
        #expect(try await executor.find(uuid: tracked.uuid, directory: tracked.directory) == tracked.externalID)
        #expect(try await executor.find(uuid: UUID().uuidString.lowercased(), directory: root) == nil)
    }

    @Test func heldJobsKeepTheirReasonAndRemovedJobsAreCancelled() async throws {
        let (executor, root) = try pool()
        let tracked = try await submit(executor, root, ["sleep 120", "sleep 120"])
        // A person (or a policy) holds the first; the second is removed with condor_rm.
        try await Task.sleep(for: .seconds(2))
        _ = try await executor.tools.succeed("condor_hold", ["\(tracked.externalID).0"])
        let held = try await waitForEnd(
            executor,
            TrackedSubmission(
                uuid: tracked.uuid, externalID: tracked.externalID, directory: tracked.directory,
                arrayIndices: [0]), seconds: 60)
        #expect(held[0]?.state == .failed)
        #expect(held[0]?.reason?.hasPrefix("held: ") == true && held[0]?.reason?.contains("via condor_hold") == true, "\(String(describing: held[0]))")
        try await executor.cancel(TrackedSubmission(uuid: tracked.uuid, externalID: tracked.externalID, directory: tracked.directory, arrayIndices: [1]))
        let removed = try await waitForEnd(
            executor,
            TrackedSubmission(
                uuid: tracked.uuid, externalID: tracked.externalID, directory: tracked.directory,
                arrayIndices: [1]), seconds: 60)
        #expect(removed[1]?.state == .cancelled, "\(String(describing: removed[1]))")
        // Cancelling what already left the queue is not an error.
        try await executor.cancel(tracked)
    }

    @Test func aTimeLimitIsReportedAsATimeLimit() async throws {
        let (executor, root) = try pool()
        let tracked = try await submit(executor, root, ["sleep 300"], timeLimit: 3)
        let ended = try await waitForEnd(executor, tracked, seconds: 90)
        #expect(ended[0]?.state == .failed, "a time limit is a failure to retry, not a cancel: \(String(describing: ended[0]))")
        #expect(ended[0]?.reason?.hasPrefix("time limit of 3 s reached") == true, "\(String(describing: ended[0]?.reason))")
    }

    @Test func aJobWithoutASharedFileSystemCarriesItsRunnerAndReportsBack() async throws {
        guard let runner = Self.environment["CONVEYOR_TEST_JOB_RUNNER"] else {
            throw ConveyorError.unavailable("CONVEYOR_TEST_JOB_RUNNER is not set: scripts/test builds a static conveyor-job")
        }
        let (executor, root) = try pool(["file_transfer": "yes"])
        // The runner and the input live on the submit side only; the job sees them in its sandbox.
        try FileManager.default.copyItem(atPath: runner, toPath: root + "/conveyor-job")
        try "line 1\nline 2\n".write(toFile: root + "/raw_1.sroot", atomically: true, encoding: .utf8)
        let uuid = UUID().uuidString.lowercased()
        let directory = "\(root)/\(uuid)"
        try FileManager.default.createDirectory(atPath: directory + "/0", withIntermediateDirectories: true)
        let description = JobDescription(
            job: "request t job 1", request: "t", step: "mdst-all-events", site: "BNL", run: ExpRun(exp: 8, run: 1),
            release: "r1", globalTags: ["online"],
            program: #"cat $CONVEYOR_INPUT > "$CONVEYOR_OUTPUT"; echo "host=$(hostname)" >> "$CONVEYOR_OUTPUT"; echo events=2 > "$CONVEYOR_REPORT""#,
            environment: [:], inputs: [.init(lfn: "/raw/1", location: "raw_1.sroot", size: 14, adler32: "x")],
            outputs: [.init(lfn: "/mdst/1.mdst", location: "1.mdst", level: .mdst, dataTag: nil)],
            conditions: .init(mode: .files, location: "conditions", resolvedAt: .now))
        _ = FileManager.default.createFile(atPath: directory + "/0/job.json", contents: description.encoded())
        try FileManager.default.createDirectory(atPath: directory + "/0/conditions", withIntermediateDirectories: true)
        let id = try await executor.submit(
            BatchSubmission(
                uuid: uuid, directory: directory,
                jobs: [
                    .init(arrayIndex: 0, command: "./conveyor-job .", environment: [:], transferIn: [root + "/conveyor-job", root + "/raw_1.sroot"])
                ], timeLimitSeconds: nil))
        let submitFile = try String(contentsOfFile: directory + "/submit.condor", encoding: .utf8)
        #expect(submitFile.contains("should_transfer_files = YES"))
        let ended = try await waitForEnd(executor, TrackedSubmission(uuid: uuid, externalID: id, directory: directory, arrayIndices: [0]))
        #expect(
            ended[0]?.state == .succeeded, "\(String(describing: ended[0])) \((try? String(contentsOfFile: directory + "/0/stderr", encoding: .utf8)) ?? "")")
        let report = try JobReport.decode(from: try Data(contentsOf: URL(fileURLWithPath: directory + "/0/report.json")))
        #expect(report.succeeded && report.events == 2, "\(report)")
        #expect(report.outputs.first?.lfn == "/mdst/1.mdst")
        // The output came back into the job's folder, with the checksums the job reported.
        let arrived = try FileChecksums(ofFileAt: directory + "/0/1.mdst")
        #expect(arrived.adler32 == report.outputs.first?.adler32 && arrived.size == report.outputs.first?.size)
        #expect(!FileManager.default.fileExists(atPath: root + "/1.mdst"), "nothing written outside the sandbox")
    }
}
