import ConveyorCore
@testable import ConveyorExecutors
import ConveyorTestSupport
import Foundation
import Testing

/// The executor's parsing, against outputs recorded from the real HTCondor 23 pool that
/// scripts/test starts (Debian 13's htcondor in a debootstrap root), served by fake tools so that
/// every state can be checked at once: `condor_q -json` of a cluster with running jobs and a held
/// one (`condor_hold`), `condor_history -json` of a cluster whose jobs exited 0 and 1 and of jobs
/// removed by `condor_rm` and by `periodic_remove` (a time limit). `HTCondorPoolTests` runs the
/// same executor against the pool itself.
@Suite("HTCondor executor")
struct HTCondorExecutorTests {
    /// `condor_q -json -constraint "ClusterId == 12" -attributes …`, recorded 2026-12-03.
    static let queue = #"""
        [
        {
          "ClusterId": 12,
          "ExitBySignal": false,
          "ImageSize": 45,
          "JobBatchName": "rec-a",
          "JobStatus": 2,
          "ProcId": 0,
          "RemoteSysCpu": 0.0,
          "RemoteUserCpu": 0.0,
          "RemoteWallClockTime": 0.0
        }
        ,
        {
          "ClusterId": 12,
          "ExitBySignal": true,
          "ExitSignal": 15,
          "HoldReason": "via condor_hold (by user conveyor)",
          "ImageSize": 2750,
          "JobBatchName": "rec-a",
          "JobStatus": 5,
          "ProcId": 1,
          "RemoteSysCpu": 0.0,
          "RemoteUserCpu": 0.0,
          "RemoteWallClockTime": 6.0
        }
        ,
        {
          "ClusterId": 12,
          "ExitBySignal": false,
          "ImageSize": 45,
          "JobBatchName": "rec-a",
          "JobStatus": 2,
          "ProcId": 4,
          "RemoteSysCpu": 0.0,
          "RemoteUserCpu": 0.0,
          "RemoteWallClockTime": 0.0
        }
        ,
        {
          "ClusterId": 12,
          "ExitBySignal": false,
          "ImageSize": 45,
          "JobBatchName": "rec-a",
          "JobStatus": 2,
          "ProcId": 5,
          "RemoteSysCpu": 0.0,
          "RemoteUserCpu": 0.0,
          "RemoteWallClockTime": 0.0
        }
        ]
        """#
    /// `condor_history -json -constraint "ClusterId == 12 || ClusterId == 13" -attributes …` and
    /// a time-limited job (cluster 8), recorded 2026-12-03.
    static let history = #"""
        [
        {
          "ClusterId": 13,
          "ExitBySignal": false,
          "ExitCode": 1,
          "ImageSize": 150,
          "JobBatchName": "rec-b",
          "JobStatus": 4,
          "ProcId": 1,
          "RemoteSysCpu": 0.0,
          "RemoteUserCpu": 0.0,
          "RemoteWallClockTime": 0.0
        }
        ,
        {
          "ClusterId": 13,
          "ExitBySignal": false,
          "ExitCode": 0,
          "ImageSize": 150,
          "JobBatchName": "rec-b",
          "JobStatus": 4,
          "ProcId": 0,
          "RemoteSysCpu": 0.0,
          "RemoteUserCpu": 0.0,
          "RemoteWallClockTime": 0.0
        }
        ,
        {
          "ClusterId": 12,
          "ExitBySignal": true,
          "ExitSignal": 15,
          "ImageSize": 2750,
          "JobBatchName": "rec-a",
          "JobStatus": 3,
          "ProcId": 2,
          "RemoteSysCpu": 0.0,
          "RemoteUserCpu": 0.0,
          "RemoteWallClockTime": 17.0,
          "RemoveReason": "via condor_rm (by user conveyor)"
        }
        ,
        {
          "ClusterId": 12,
          "ExitBySignal": true,
          "ExitSignal": 15,
          "ImageSize": 2750,
          "JobBatchName": "rec-a",
          "JobStatus": 3,
          "ProcId": 3,
          "RemoteSysCpu": 0.0,
          "RemoteUserCpu": 0.0,
          "RemoteWallClockTime": 17.0,
          "RemoveReason": "via condor_rm (by user conveyor)"
        },
        {
          "ClusterId": 8,
          "ConveyorTimeLimit": 3,
          "ExitBySignal": true,
          "ExitSignal": 15,
          "ImageSize": 7500,
          "JobBatchName": "04fa0f69-0d24-45eb-9c05-ceb1cd0bfa64",
          "JobStatus": 3,
          "ProcId": 0,
          "RemoteSysCpu": 0.0,
          "RemoteUserCpu": 0.0,
          "RemoteWallClockTime": 6.0,
          "RemoveReason": "The job attribute PeriodicRemove expression '(JobStatus == 2) && (time() - EnteredCurrentStatus > 3)' evaluated to TRUE"
        }
        ]
        """#

    @Test func submitsOneClusterNamedByTheUUIDAndReadsStatusInChunks() async throws {
        let fake = try FakeTools(["condor_submit", "condor_q", "condor_history", "condor_rm"])
        defer { fake.folder.remove() }
        let jobs = try TemporaryDirectory()
        defer { jobs.remove() }
        try fake.answer("condor_submit", "4711.0 - 4711.5\n")
        let executor = HTCondorExecutor(options: ["commands": fake.folder.path])
        let uuid = "6b0c8e0e-0000-4000-8000-000000000001"
        let id = try await executor.submit(
            BatchSubmission(
                uuid: uuid, directory: jobs.path + "/s",
                jobs: (0..<6).map {
                    .init(arrayIndex: $0, command: "echo \($0)", environment: ["CONVEYOR_ARRAY_INDEX": String($0)])
                }, timeLimitSeconds: 600))
        #expect(id == "4711")
        let description = try String(contentsOfFile: jobs.path + "/s/submit.condor", encoding: .utf8)
        #expect(description.contains("JobBatchName = \"\(uuid)\""))
        #expect(description.contains("queue 6"))
        #expect(description.contains("periodic_remove"))

        try fake.answer("condor_q", Self.queue)
        try fake.answer("condor_history", Self.history)
        let a = "rec-a", b = "rec-b", c = "time-limited"
        let statuses = try await executor.poll([
            TrackedSubmission(uuid: a, externalID: "12", directory: jobs.path + "/a", arrayIndices: Array(0..<6)),
            TrackedSubmission(uuid: b, externalID: "13", directory: jobs.path + "/b", arrayIndices: [0, 1]),
            TrackedSubmission(uuid: c, externalID: "8", directory: jobs.path + "/c", arrayIndices: [0]),
        ])
        func status(_ uuid: String, _ index: Int) -> BatchJobStatus? { statuses.first { $0.uuid == uuid && $0.arrayIndex == index } }
        #expect(status(a, 0)?.state == .running)
        #expect(status(a, 1)?.state == .failed)
        #expect(status(a, 1)?.reason == "held: via condor_hold (by user conveyor)")
        #expect(status(a, 2)?.state == .cancelled && status(a, 2)?.reason == "removed from the queue: via condor_rm (by user conveyor)")
        #expect(status(b, 0)?.state == .succeeded && status(b, 0)?.wallSeconds == 0 && status(b, 0)?.maxRSSKilobytes == 150)
        #expect(status(b, 1)?.state == .failed && status(b, 1)?.reason == "exit code 1")
        #expect(
            status(c, 0)?.state == .failed && status(c, 0)?.reason == "time limit of 3 s reached (removed by periodic_remove)",
            "a time limit is a failure to retry, not a cancel: \(String(describing: status(c, 0)))")
        #expect(fake.calls.contains("condor_rm 12.1"), "a held job is removed once reported")
        #expect(fake.calls.filter { $0.hasPrefix("condor_q") }.count == 1)
        #expect(fake.calls.first { $0.hasPrefix("condor_q") }?.contains("ClusterId == 12") == true)
    }

    @Test func callsPerCycleDoNotGrowWithJobsAndClustersAreChunked() async throws {
        let fake = try FakeTools(["condor_q", "condor_history"])
        defer { fake.folder.remove() }
        try fake.answer("condor_q", "")
        try fake.answer("condor_history", "")
        let executor = HTCondorExecutor(options: ["commands": fake.folder.path], chunk: 100)
        func cycle(clusters: Int, jobs: Int) async throws -> Int {
            let before = executor.tools.calls.values.reduce(0, +)
            _ = try await executor.poll(
                (0..<clusters).map { TrackedSubmission(uuid: "u\($0)", externalID: String(1000 + $0), directory: "/tmp", arrayIndices: Array(0..<jobs)) })
            return executor.tools.calls.values.reduce(0, +) - before
        }
        #expect(try await cycle(clusters: 1, jobs: 3) == 2)
        #expect(try await cycle(clusters: 1, jobs: 5_000) == 2, "one condor_q and one condor_history, whatever the jobs")
        #expect(try await cycle(clusters: 250, jobs: 10) == 6, "250 clusters in chunks of 100: 3 + 3")
    }

    @Test func findAdoptsByBatchNameAndRefusesGarbage() async throws {
        let fake = try FakeTools(["condor_q", "condor_history"])
        defer { fake.folder.remove() }
        try fake.answer("condor_q", "")
        try fake.answer("condor_history", #"[{"ClusterId": 99}]"#)
        let executor = HTCondorExecutor(options: ["commands": fake.folder.path])
        #expect(try await executor.find(uuid: "u", directory: "/tmp") == "99")
        try fake.answer("condor_history", "")
        #expect(try await executor.find(uuid: "u", directory: "/tmp") == nil)
        try fake.answer("condor_q", "Failed to connect to schedd\n", status: 1)
        await #expect(throws: ConveyorError.self) { _ = try await executor.find(uuid: "u", directory: "/tmp") }
        try fake.answer("condor_q", "not json")
        await #expect(throws: ConveyorError.self) {
            _ = try await executor.poll([TrackedSubmission(uuid: "u", externalID: "1", directory: "/tmp", arrayIndices: [0])])
        }
    }
}
