import ConveyorCore
@testable import ConveyorExecutors
import ConveyorTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Local executor")
struct LocalExecutorTests {
    /// Polls until every job of `submission` has a final state (a deadline for a loaded machine, not a speed check).
    static func finish(_ executor: LocalExecutor, _ submission: BatchSubmission, id: String) async throws -> [BatchJobStatus] {
        let tracked = TrackedSubmission(uuid: submission.uuid, externalID: id, directory: submission.directory, arrayIndices: submission.jobs.map(\.arrayIndex))
        let deadline = ContinuousClock.now + .seconds(120)
        while true {
            let reports = try await executor.poll([tracked])
            if reports.allSatisfy(\.isFinal) || ContinuousClock.now > deadline { return reports }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    static func submission(in folder: TemporaryDirectory, _ name: String, command: String) -> BatchSubmission {
        BatchSubmission(
            uuid: UUID().uuidString, directory: folder.file(name), jobs: [.init(arrayIndex: 0, command: command, environment: [:])], timeLimitSeconds: nil)
    }

    /// A launcher killed between two jobs is started again, and a job handed to a launcher that
    /// never started it is handed again once it stays unclaimed: no job stays queued for ever.
    @Test func aLauncherThatDiesIsReplacedAndNoJobIsLost() async throws {
        let folder = try TemporaryDirectory(prefix: "conveyor-local")
        defer { folder.remove() }
        let executor = LocalExecutor(onEnding: {}, unclaimedAfter: .seconds(1))
        let first = Self.submission(in: folder, "first", command: "echo one")
        let firstReports = try await Self.finish(executor, first, id: try await executor.submit(first))
        #expect(firstReports.map(\.state) == [.succeeded])
        let launcher = try #require(executor.launcherProcessID)

        // Stopped, the launcher reads nothing: the second job is handed to it and left unclaimed.
        kill(launcher, SIGSTOP)
        let second = Self.submission(in: folder, "second", command: "echo two")
        let secondID = try await executor.submit(second)
        // Killed, it is replaced; the second job is handed to the new launcher and runs once.
        kill(launcher, SIGKILL)
        kill(launcher, SIGCONT)
        let secondReports = try await Self.finish(executor, second, id: secondID)
        #expect(secondReports.map(\.state) == [.succeeded], "\(secondReports)")
        #expect(try String(contentsOfFile: second.directory + "/0/stdout", encoding: .utf8) == "two\n")
        let replacement = try #require(executor.launcherProcessID)
        #expect(replacement != launcher)
    }
}
