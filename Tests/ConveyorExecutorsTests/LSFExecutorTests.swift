import ConveyorCore
@testable import ConveyorExecutors
import ConveyorTestSupport
import Foundation
import Testing

/// LSF cannot be installed here: the executor is tested against fake `bsub`, `bjobs` and `bkill`
/// whose answers follow the formats of IBM Spectrum LSF 10.1's command reference (`bsub`'s
/// "Job <ID> is submitted to queue <Q>.", `bjobs -json -o …` objects with RECORDS of strings,
/// "Job <ID> is not found" records with ERROR).
@Suite("LSF executor")
struct LSFExecutorTests {
    static let unfinished = """
        {
          "COMMAND":"bjobs",
          "JOBS":3,
          "RECORDS":[
            {"JOBID":"5120","JOBINDEX":"1","STAT":"RUN","EXIT_CODE":"","EXIT_REASON":"","CPU_USED":"1.20 second(s)","MAX_MEM":"12 Mbytes","RUN_TIME":"4 second(s)","JOB_NAME":"u1[1]"},
            {"JOBID":"5120","JOBINDEX":"2","STAT":"PEND","EXIT_CODE":"","EXIT_REASON":"","CPU_USED":"0.00 second(s)","MAX_MEM":"","RUN_TIME":"0 second(s)","JOB_NAME":"u1[2]"},
            {"JOBID":"5121","ERROR":"Job <5121> is not found"}
          ]
        }
        """
    static let finished = """
        {
          "COMMAND":"bjobs",
          "JOBS":4,
          "RECORDS":[
            {"JOBID":"5120","JOBINDEX":"3","STAT":"DONE","EXIT_CODE":"","EXIT_REASON":"","CPU_USED":"9.50 second(s)","MAX_MEM":"1.5 Gbytes","RUN_TIME":"12 second(s)","JOB_NAME":"u1[3]"},
            {"JOBID":"5120","JOBINDEX":"4","STAT":"EXIT","EXIT_CODE":"2","EXIT_REASON":"","CPU_USED":"0.10 second(s)","MAX_MEM":"3 Mbytes","RUN_TIME":"1 second(s)","JOB_NAME":"u1[4]"},
            {"JOBID":"5120","JOBINDEX":"5","STAT":"EXIT","EXIT_CODE":"140","EXIT_REASON":"TERM_RUNLIMIT: job killed after reaching LSF run time limit","CPU_USED":"60.0 second(s)","MAX_MEM":"512 Kbytes","RUN_TIME":"61 second(s)","JOB_NAME":"u1[5]"},
            {"JOBID":"5120","JOBINDEX":"6","STAT":"EXIT","EXIT_CODE":"130","EXIT_REASON":"TERM_OWNER: job killed by owner","CPU_USED":"0.0 second(s)","MAX_MEM":"","RUN_TIME":"2 second(s)","JOB_NAME":"u1[6]"}
          ]
        }
        """

    @Test func submitsOneArrayNamedByTheUUIDAndReadsStateInTwoCalls() async throws {
        let fake = try FakeTools(["bsub", "bjobs", "bkill"])
        defer { fake.folder.remove() }
        let jobs = try TemporaryDirectory()
        defer { jobs.remove() }
        try fake.answer("bsub", "Job <5120> is submitted to queue <b2_prod>.\n")
        _ = FileManager.default.createFile(atPath: fake.folder.file("bsub.in"), contents: nil)
        let executor = LSFExecutor(options: ["commands": fake.folder.path, "queue": "b2_prod", "project": "belle2-prod"])
        let uuid = "6b0c8e0e-0000-4000-8000-00000000000a"
        let id = try await executor.submit(
            BatchSubmission(
                uuid: uuid, directory: jobs.path + "/s",
                jobs: (0..<6).map {
                    .init(arrayIndex: $0, command: "echo \($0)", environment: [:])
                }, timeLimitSeconds: 90))
        #expect(id == "5120+0")
        let call = try #require(fake.calls.first { $0.hasPrefix("bsub") })
        #expect(call.contains("-J \(uuid)[1-6]") && call.contains("-q b2_prod") && call.contains("-P belle2-prod") && call.contains("-W 2"), "\(call)")
        let sent = try String(contentsOfFile: fake.folder.file("bsub.stdin"), encoding: .utf8)
        #expect(sent.contains("$((LSB_JOBINDEX - 1 + 0))"), "element N is folder N-1: \(sent)")

        try fake.answer("bjobs", Self.unfinished)
        let first = try await executor.poll([TrackedSubmission(uuid: uuid, externalID: "5120+0", directory: jobs.path + "/s", arrayIndices: [0, 1])])
        #expect(Set(first.map(\.state)) == [.running, .queued])
        #expect(fake.calls.filter { $0.hasPrefix("bjobs") }.count == 1, "all unfinished: no -d call")

        // Unfinished jobs are asked first; the finished ones only answer `bjobs -d`.
        try fake.answer("bjobs", #"{"COMMAND":"bjobs","JOBS":0,"RECORDS":[]}"#)
        try Self.finished.write(toFile: fake.folder.file("bjobs-d.out"), atomically: true, encoding: .utf8)
        let script = try String(contentsOfFile: fake.folder.file("bjobs"), encoding: .utf8)
        try script.replacingOccurrences(
            of: #"[ -f "$here/bjobs.out" ] && cat "$here/bjobs.out""#,
            with: #"if [ "$1" = "-d" ]; then cat "$here/bjobs-d.out"; else cat "$here/bjobs.out"; fi"#
        )
        .write(toFile: fake.folder.file("bjobs"), atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake.folder.file("bjobs"))
        let statuses = try await executor.poll([TrackedSubmission(uuid: uuid, externalID: "5120+0", directory: jobs.path + "/s", arrayIndices: [2, 3, 4, 5])])
        let byIndex = Dictionary(statuses.map { ($0.arrayIndex, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(byIndex[2]?.state == .succeeded && byIndex[2]?.cpuSeconds == 9.5 && byIndex[2]?.wallSeconds == 12 && byIndex[2]?.maxRSSKilobytes == 1_572_864)
        #expect(byIndex[3]?.state == .failed && byIndex[3]?.reason == "exit code 2")
        #expect(
            byIndex[4]?.state == .failed && byIndex[4]?.reason?.hasPrefix("time limit reached: TERM_RUNLIMIT") == true,
            "a run limit is a time limit, not a cancel")
        #expect(byIndex[5]?.state == .cancelled)
        let polls = fake.calls.filter { $0.hasPrefix("bjobs") }
        #expect(polls.count == 3 && polls.last?.hasPrefix("bjobs -d -json -o") == true, "\(polls)")
    }

    @Test func aSubmissionIsFoundByItsNameAndCancelledOnce() async throws {
        let fake = try FakeTools(["bjobs", "bkill"])
        defer { fake.folder.remove() }
        let executor = LSFExecutor(options: ["commands": fake.folder.path])
        try fake.answer("bjobs", #"{"COMMAND":"bjobs","JOBS":2,"RECORDS":[{"JOBID":"77","JOB_NAME":"u9[1]"},{"JOBID":"77","JOB_NAME":"u9[2]"}]}"#)
        #expect(try await executor.find(uuid: "u9", directory: "/nowhere") == "77+0")
        try fake.answer("bjobs", "", status: 255)
        try "Job <u9*> is not found\n".write(toFile: fake.folder.file("bjobs.err"), atomically: true, encoding: .utf8)
        #expect(try await executor.find(uuid: "u9", directory: "/nowhere") == nil, "never received: may be sent now")
        try fake.answer("bkill", "", status: 255)
        try "Job <77>: Job has already finished\n".write(toFile: fake.folder.file("bkill.err"), atomically: true, encoding: .utf8)
        try await executor.cancel(TrackedSubmission(uuid: "u9", externalID: "77+0", directory: "/nowhere", arrayIndices: [0]))
        try "User permission denied\n".write(toFile: fake.folder.file("bkill.err"), atomically: true, encoding: .utf8)
        await #expect(throws: ConveyorError.self) {
            try await executor.cancel(TrackedSubmission(uuid: "u9", externalID: "77+0", directory: "/nowhere", arrayIndices: [0]))
        }
    }

    @Test func aBsubErrorIsAOneLineFailure() async throws {
        let fake = try FakeTools(["bsub"])
        defer { fake.folder.remove() }
        let jobs = try TemporaryDirectory()
        defer { jobs.remove() }
        try fake.answer("bsub", "", status: 255)
        try "b2_prod: No such queue. Job not submitted.\n".write(toFile: fake.folder.file("bsub.err"), atomically: true, encoding: .utf8)
        let executor = LSFExecutor(options: ["commands": fake.folder.path, "queue": "b2_prod"])
        do {
            _ = try await executor.submit(
                BatchSubmission(
                    uuid: "u2", directory: jobs.path + "/s", jobs: [.init(arrayIndex: 0, command: "true", environment: [:])],
                    timeLimitSeconds: nil))
            Issue.record("bsub's refusal was taken as a submission")
        } catch {
            #expect(error.message.contains("No such queue"), "\(error.message)")
            #expect(!error.message.contains("\n"))
        }
    }
}
