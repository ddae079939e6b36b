import ConveyorCore
@testable import ConveyorExecutors
import ConveyorTestSupport
import Foundation
import Testing

/// HTCondor cannot be installed here: the executor is tested against recorded `condor_q -json`
/// and `condor_history -json` answers served by fake tools on a folder of their own.
@Suite("HTCondor executor")
struct HTCondorExecutorTests {
    static let queue = """
        [
        {"ClusterId": 4711, "ProcId": 0, "JobStatus": 2, "JobBatchName": "u1"},
        {"ClusterId": 4711, "ProcId": 1, "JobStatus": 5, "HoldReason": "Error from slot1@wn042: disk quota exceeded", "JobBatchName": "u1"},
        {"ClusterId": 4711, "ProcId": 2, "JobStatus": 1, "JobBatchName": "u1"}
        ]
        """
    static let history = """
        [
        {"ClusterId": 4711, "ProcId": 3, "JobStatus": 4, "ExitCode": 0, "ExitBySignal": false, "RemoteWallClockTime": 12.0, "RemoteUserCpu": 9.5, "RemoteSysCpu": 0.5, "ImageSize": 20480},
        {"ClusterId": 4711, "ProcId": 4, "JobStatus": 4, "ExitCode": 2, "ExitBySignal": false},
        {"ClusterId": 4711, "ProcId": 5, "JobStatus": 3}
        ]
        """

    @Test func submitsOneClusterNamedByTheUUIDAndReadsStatusInChunks() async throws {
        let fake = try FakeTools(["condor_submit", "condor_q", "condor_history", "condor_rm"])
        defer { fake.folder.remove() }
        let jobs = try TemporaryDirectory()
        defer { jobs.remove() }
        try fake.answer("condor_submit", "4711.0 - 4711.5\n")
        let executor = HTCondorExecutor(options: ["commands": fake.folder.path])
        let uuid = "6b0c8e0e-0000-4000-8000-000000000001"
        let id = try await executor.submit(BatchSubmission(uuid: uuid, directory: jobs.path + "/s", jobs: (0..<6).map {
            .init(arrayIndex: $0, command: "echo \($0)", environment: ["CONVEYOR_ARRAY_INDEX": String($0)])
        }, timeLimitSeconds: 600))
        #expect(id == "4711")
        let description = try String(contentsOfFile: jobs.path + "/s/submit.condor", encoding: .utf8)
        #expect(description.contains("JobBatchName = \"\(uuid)\""))
        #expect(description.contains("queue 6"))
        #expect(description.contains("periodic_remove"))

        try fake.answer("condor_q", Self.queue)
        try fake.answer("condor_history", Self.history)
        let reports = try await executor.poll([TrackedSubmission(uuid: uuid, externalID: "4711", directory: jobs.path + "/s", arrayIndices: Array(0..<6))])
        let byIndex = Dictionary(reports.map { ($0.arrayIndex, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(byIndex[0]?.state == .running)
        #expect(byIndex[1]?.state == .failed)
        #expect(byIndex[1]?.reason == "held: Error from slot1@wn042: disk quota exceeded")
        #expect(byIndex[2]?.state == .queued)
        #expect(byIndex[3]?.state == .succeeded && byIndex[3]?.wallSeconds == 12 && byIndex[3]?.cpuSeconds == 10 && byIndex[3]?.maxRSSKilobytes == 20480)
        #expect(byIndex[4]?.state == .failed && byIndex[4]?.reason == "exit code 2")
        #expect(byIndex[5]?.state == .cancelled)
        #expect(fake.calls.contains("condor_rm 4711.1"), "a held job is removed once reported")
        #expect(fake.calls.filter { $0.hasPrefix("condor_q") }.count == 1)
        #expect(fake.calls.first { $0.hasPrefix("condor_q") }?.contains("ClusterId == 4711") == true)
    }

    @Test func callsPerCycleDoNotGrowWithJobsAndClustersAreChunked() async throws {
        let fake = try FakeTools(["condor_q", "condor_history"])
        defer { fake.folder.remove() }
        try fake.answer("condor_q", "")
        try fake.answer("condor_history", "")
        let executor = HTCondorExecutor(options: ["commands": fake.folder.path], chunk: 100)
        func cycle(clusters: Int, jobs: Int) async throws -> Int {
            let before = executor.tools.calls.values.reduce(0, +)
            _ = try await executor.poll((0..<clusters).map { TrackedSubmission(uuid: "u\($0)", externalID: String(1000 + $0), directory: "/tmp", arrayIndices: Array(0..<jobs)) })
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
        await #expect(throws: ConveyorError.self) { _ = try await executor.poll([TrackedSubmission(uuid: "u", externalID: "1", directory: "/tmp", arrayIndices: [0])]) }
    }
}
