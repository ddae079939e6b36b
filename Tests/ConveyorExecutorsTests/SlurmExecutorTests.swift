import ConveyorCore
@testable import ConveyorExecutors
import ConveyorTestSupport
import Foundation
import Testing

@Suite("Slurm executor")
struct SlurmExecutorTests {
    @Test func everySlurmStateIsMappedExplicitly() {
        let cases: [(String, Int?, BatchJobStatus.State, String?)] = [
            ("PENDING", nil, .queued, nil), ("CONFIGURING", nil, .queued, nil), ("REQUEUED", nil, .queued, nil), ("REQUEUE_HOLD", nil, .queued, nil),
            ("RUNNING", nil, .running, nil), ("COMPLETING", nil, .running, nil), ("SUSPENDED", nil, .running, nil), ("STAGE_OUT", nil, .running, nil),
            ("COMPLETED", 0, .succeeded, nil), ("COMPLETED", 2, .failed, "COMPLETED with exit code 2"),
            ("FAILED", 3, .failed, "FAILED: exit code 3"), ("TIMEOUT", 0, .failed, "TIMEOUT: the time limit was reached"),
            ("OUT_OF_MEMORY", 0, .failed, "OUT_OF_MEMORY: the job exceeded its memory"),
            ("NODE_FAIL", 0, .failed, "NODE_FAIL: the node running the job failed"),
            ("PREEMPTED", 0, .failed, "PREEMPTED: the job was preempted"), ("BOOT_FAIL", 0, .failed, "BOOT_FAIL: the node failed to boot"),
            ("DEADLINE", 0, .failed, "DEADLINE: the job missed its deadline"), ("CANCELLED by 0", 0, .cancelled, "CANCELLED by 0"),
            ("SPECIAL_EXIT", 0, .failed, "SPECIAL_EXIT: the job requested its own requeue"), ("WEIRD", 0, .failed, "unknown Slurm state WEIRD"),
        ]
        for (text, exit, state, reason) in cases {
            let mapped = SlurmState.report(text, exitCode: exit)
            #expect(mapped.state == state, "\(text)")
            #expect(mapped.reason == reason, "\(text)")
        }
        #expect(SlurmState.exitCode("0:9") == 137)
        #expect(SlurmState.exitCode("3:0") == 3)
    }

    @Test func pollingMakesTheSameCallsForTenOrFiveThousandJobs() async throws {
        let fake = try FakeTools(["squeue", "sacct", "scontrol"])
        defer { fake.folder.remove() }
        try fake.answer("squeue", "101|0|RUNNING|None\n101|1|PENDING|Priority\n")
        try fake.answer("sacct", "", status: 1)
        try fake.answer("scontrol", "JobId=105 ArrayJobId=101 ArrayTaskId=2 JobName=u JobState=TIMEOUT Reason=TimeLimit ExitCode=0:15\n")
        let executor = SlurmExecutor(options: ["commands": fake.folder.path, "max_array_size": "10001"])
        func cycle(_ jobs: Int) async throws -> (calls: Int, reports: [BatchJobStatus]) {
            let before = executor.tools.calls.values.reduce(0, +)
            let reports = try await executor.poll([TrackedSubmission(uuid: "u", externalID: "101+0", directory: "/tmp", arrayIndices: Array(0..<jobs))])
            return (executor.tools.calls.values.reduce(0, +) - before, reports)
        }
        let small = try await cycle(10)
        let large = try await cycle(5_000)
        #expect(small.calls == 3 && large.calls == 3, "squeue, sacct (accounting off) and scontrol: \(small.calls) and \(large.calls)")
        let byIndex = Dictionary(small.reports.map { ($0.arrayIndex, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(byIndex[0]?.state == .running && byIndex[1]?.state == .queued)
        #expect(byIndex[2]?.state == .failed && byIndex[2]?.reason == "TIMEOUT: the time limit was reached; TimeLimit" && byIndex[2]?.exitCode == 143)
        #expect(fake.calls.contains { $0.hasPrefix("squeue -h -r --jobs=101 ") })
    }

    @Test func findAdoptsByNameFromTheQueueAccountingOrTheController() async throws {
        let fake = try FakeTools(["squeue", "sacct", "scontrol"])
        defer { fake.folder.remove() }
        let executor = SlurmExecutor(options: ["commands": fake.folder.path, "max_array_size": "1001"])
        try fake.answer("squeue", "101\n")
        #expect(try await executor.find(uuid: "u1", directory: "/tmp") == "101+0")
        try fake.answer("squeue", "")
        try fake.answer("sacct", "", status: 1)
        try fake.answer(
            "scontrol",
            "JobId=105 ArrayJobId=104 ArrayTaskId=2 JobName=u1 JobState=COMPLETED Reason=None ExitCode=0:0\nJobId=99 ArrayJobId=98 ArrayTaskId=0 JobName=other JobState=COMPLETED\n"
        )
        #expect(try await executor.find(uuid: "u1", directory: "/tmp") == "104+0", "accounting off: the controller still knows it")
        #expect(try await executor.find(uuid: "never-sent", directory: "/tmp") == nil)
    }

    @Test func aFailingSbatchIsAnErrorNotALostJob() async throws {
        let fake = try FakeTools(["sbatch"])
        defer { fake.folder.remove() }
        let jobs = try TemporaryDirectory()
        defer { jobs.remove() }
        try "sbatch: error: Batch job submission failed: Socket timed out on send/recv operation".write(
            toFile: fake.folder.file("sbatch.err"), atomically: true, encoding: .utf8)
        try fake.answer("sbatch", "", status: 1)
        let executor = SlurmExecutor(options: ["commands": fake.folder.path, "max_array_size": "1001"])
        await #expect(throws: ConveyorError.unavailable("sbatch failed: sbatch: error: Batch job submission failed: Socket timed out on send/recv operation")) {
            _ = try await executor.submit(
                BatchSubmission(uuid: "u", directory: jobs.path + "/s", jobs: [.init(arrayIndex: 0, command: "true", environment: [:])], timeLimitSeconds: nil))
        }
        try fake.answer("sbatch", "77\n")
        let split = try await executor.submit(
            BatchSubmission(
                uuid: "u", directory: jobs.path + "/s", jobs: (0..<2500).map { .init(arrayIndex: $0, command: "true", environment: [:]) },
                timeLimitSeconds: 90))
        #expect(split == "77+0,77+1001,77+2002", "split at MaxArraySize")
        #expect(fake.calls.filter { $0.hasPrefix("sbatch") }.last?.contains("--array=0-497") == true)
        #expect(fake.calls.filter { $0.hasPrefix("sbatch") }.last?.contains("--time=2") == true)
    }

    @Test(.enabled(if: SlurmCluster.enabled))
    func aFiveThousandElementArrayIsOneSbatchCall() async throws {
        try SlurmCluster.require()
        try await SlurmCluster.shared {
            let jobs = try TemporaryDirectory()
            defer { jobs.remove() }
            let executor = SlurmExecutor(options: [:])
            let uuid = UUID().uuidString.lowercased()
            let submission = BatchSubmission(
                uuid: uuid, directory: jobs.path + "/s",
                jobs: (0..<5_000).map {
                    .init(arrayIndex: $0, command: "sleep 600", environment: [:])
                }, timeLimitSeconds: nil)
            let id = try await executor.submit(submission)
            defer { Task { try? await executor.cancel(TrackedSubmission(uuid: uuid, externalID: id, directory: submission.directory, arrayIndices: [])) } }
            #expect(executor.tools.calls["sbatch"] == 1)
            #expect(try await executor.find(uuid: uuid, directory: submission.directory) == id, "found again by its name")
            let before = executor.tools.calls.values.reduce(0, +)
            let reports = try await executor.poll([
                TrackedSubmission(uuid: uuid, externalID: id, directory: submission.directory, arrayIndices: Array(0..<5_000))
            ])
            #expect(executor.tools.calls.values.reduce(0, +) - before == 1, "all 5,000 in one squeue call")
            #expect(reports.count == 5_000)
            #expect(reports.allSatisfy { $0.state == .queued || $0.state == .running })
            try await executor.cancel(TrackedSubmission(uuid: uuid, externalID: id, directory: submission.directory, arrayIndices: []))
        }
    }
}
