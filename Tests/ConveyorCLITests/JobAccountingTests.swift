import ConveyorCore
import ConveyorExecutors
import ConveyorJob
import ConveyorRequests
import ConveyorStore
import ConveyorTestSupport
import ConveyorWorkflow
import Foundation
import Testing

/// The accountant judges a job by its report and by the files that are there: a report read
/// twice registers nothing twice; a missing or truncated report, an output missing or with other
/// checksums, a transfer back that did not happen are failures with a one-line reason that
/// register nothing and count a try.
@Suite("Accounting for job reports", .serialized)
struct JobAccountingTests {
    struct Setup {
        let fixture: RequestFixture
        let store: Store
        let accountant: RequestJobAccountant
        let jobs: [RequestJob]
        let directory: TemporaryDirectory

        func dispatch(_ job: RequestJob, transfer: Bool = false) throws -> (String, JobDispatch) {
            let folder = directory.file("jobs/\(job.id)-\(UUID().uuidString.prefix(6))")
            let pool = try Pool(name: "p", executor: .htcondor, slots: 1, options: transfer ? ["file_transfer": "yes"] : [:])
            return (RequestJobAccountant.element(request: "u1", job: job.id), JobDispatch(folder: folder, pool: pool, runner: "conveyor-job", attempt: 1))
        }

        func ended(_ element: String, _ dispatch: JobDispatch) -> EndedJob {
            EndedJob(
                element: element, folder: dispatch.folder, pool: dispatch.pool, status: BatchJobStatus(uuid: "u", arrayIndex: 0, state: .succeeded, exitCode: 0)
            )
        }

        func registered() async throws -> Int { try await fixture.catalogOutputs().count }
    }

    func withSetup(_ body: (Setup) async throws -> Void) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fixture = try RequestFixture(directory: directory, database: directory.file("c.sqlite"), runs: [1])
        try await fixture.prepare()
        try fixture.writeRequest(name: "u1", campaign: "unofficial", calibrations: [], outputs: "[mdst]", skims: "[]")
        try await fixture.ok("request", "submit", "request.yaml")
        let store = try await Store.open(.sqlite(path: directory.file("c.sqlite")), logger: TestBackend.quietLogger)
        let jobs = try await Requests(store: store).jobs(of: "u1").filter { $0.outputLFN != nil }
        try await body(Setup(fixture: fixture, store: store, accountant: RequestJobAccountant(store: store), jobs: jobs, directory: directory))
        await store.close()
    }

    @Test func aReportReadTwiceRegistersOnce() async throws {
        try await withSetup { s in
            let (element, dispatch) = try s.dispatch(s.jobs[0])
            let described = try await s.accountant.describe(element, dispatch)
            #expect(described.command.hasSuffix(" ."))
            let report = JobRunner(folder: dispatch.folder).run()
            #expect(report.succeeded, "\(report.failure ?? "")")
            let first = try await s.accountant.account([s.ended(element, dispatch), s.ended(element, dispatch)])
            #expect(first.map(\.succeeded) == [true, true])
            #expect(first[0].detail.hasPrefix("registered "), "\(first[0].detail)")
            #expect(first[1].detail.hasPrefix("already done"), "the second copy in the same batch: \(first[1].detail)")
            let again = try await s.accountant.account([s.ended(element, dispatch)])
            #expect(again.first?.succeeded == true && again.first?.detail.hasPrefix("already done") == true)
            #expect(try await s.registered() == 1)
        }
    }

    @Test func badReportsAndOutputsAreFailuresThatRegisterNothing() async throws {
        try await withSetup { s in
            // No report at all (the job never ran, or died before writing it).
            let (e1, d1) = try s.dispatch(s.jobs[0])
            _ = try await s.accountant.describe(e1, d1)
            let missing = try await s.accountant.account([s.ended(e1, d1)])
            #expect(missing.first?.succeeded == false)
            #expect(missing.first?.detail == "try 1 of 2 failed: the job wrote no report.json", "\(missing)")

            // A report cut short.
            let (e2, d2) = try s.dispatch(s.jobs[1])
            _ = try await s.accountant.describe(e2, d2)
            JobRunner(folder: d2.folder).run()
            let path = d2.folder + "/report.json"
            let whole = try Data(contentsOf: URL(fileURLWithPath: path))
            try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: path))
            let truncated = try await s.accountant.account([s.ended(e2, d2)])
            #expect(truncated.first?.succeeded == false)
            #expect(truncated.first?.detail.contains("report.json is not a valid report.json") == true, "\(truncated)")

            // An output changed after the job checksummed it.
            let (e3, d3) = try s.dispatch(s.jobs[2])
            _ = try await s.accountant.describe(e3, d3)
            let report = JobRunner(folder: d3.folder).run()
            let output = try #require(report.outputs.first?.location)
            let handle = try #require(FileHandle(forWritingAtPath: output))
            handle.seekToEndOfFile()
            handle.write(Data("tampered\n".utf8))
            try handle.close()
            let tampered = try await s.accountant.account([s.ended(e3, d3)])
            #expect(tampered.first?.succeeded == false)
            #expect(tampered.first?.detail.contains("the job reported") == true, "\(tampered)")
            #expect(!(tampered.first?.detail.contains("\n") ?? true))

            #expect(try await s.registered() == 0, "nothing registered that is not there")
            let failures = try await Requests(store: s.store).jobs(of: "u1").filter { $0.failures > 0 }.count
            #expect(failures == 3)
        }
    }

    @Test func withoutASharedFileSystemOutputsComeHomeAndAreCheckedOnArrival() async throws {
        try await withSetup { s in
            let (element, dispatch) = try s.dispatch(s.jobs[0], transfer: true)
            let described = try await s.accountant.describe(element, dispatch)
            #expect(described.command == "./conveyor-job .")
            let description = try JobDescription.decode(from: try Data(contentsOf: URL(fileURLWithPath: dispatch.folder + "/job.json")))
            #expect(!description.inputs[0].location.hasPrefix("/") && !description.outputs[0].location.hasPrefix("/"), "sandbox names, not site paths")
            #expect(described.transferIn.count == 2 && described.transferIn[0] == "conveyor-job")
            // As the batch system would: the inputs into the sandbox (here, the folder itself), the job runs there.
            try FileManager.default.copyItem(atPath: described.transferIn[1], toPath: dispatch.folder + "/" + description.inputs[0].location)
            #expect(JobRunner(folder: dispatch.folder).run().succeeded)

            // First the transfer back fails: the output is not in the folder.
            let sandboxOutput = dispatch.folder + "/" + description.outputs[0].location
            try FileManager.default.moveItem(atPath: sandboxOutput, toPath: sandboxOutput + ".lost")
            let lost = try await s.accountant.account([s.ended(element, dispatch)])
            #expect(lost.first?.succeeded == false && lost.first?.detail.contains("not transferred back?") == true, "\(lost)")
            try FileManager.default.moveItem(atPath: sandboxOutput + ".lost", toPath: sandboxOutput)
            let home = try await s.accountant.account([s.ended(element, dispatch)])
            #expect(home.first?.succeeded == true, "\(home)")
            let stored = s.directory.file("storage") + description.outputs[0].lfn
            #expect(FileManager.default.fileExists(atPath: stored), "brought home to the site's path")
            #expect(try await s.registered() == 1)
        }
    }
}
