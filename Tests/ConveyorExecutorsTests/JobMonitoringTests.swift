import ConveyorCore
@testable import ConveyorJob
import ConveyorTestSupport
import Foundation
import Testing

/// A job carries its quality program's monitoring file home in its report, checked on the worker:
/// a file in the wrong form fails the job with its reason rather than travelling home.
@Suite("Monitoring carried by a job")
struct JobMonitoringTests {
    @Test func theMonitoringFileIsCheckedWhereTheJobRan() throws {
        let folder = try TemporaryDirectory(prefix: "conveyor-job-qm")
        defer { folder.remove() }
        let runner = JobRunner(folder: folder.path)
        #expect(try runner.readMonitoring() == nil, "no file: nothing to carry")

        let good = #"{"run": {"exp": 8, "run": 2}, "scalars": [{"name": "physics/mass_mean", "value": 3.1, "error": 0.01}]}"#
        try good.write(toFile: folder.file(JobRunner.monitoringFile), atomically: true, encoding: .utf8)
        let carried = try #require(try runner.readMonitoring())
        #expect(carried.run == ExpRun(exp: 8, run: 2) && carried.scalars.first?.value == 3.1 && carried.processing == nil)

        for (text, words) in [
            ("{\"run\": 3}", "the monitoring file: not a monitoring file"),
            (#"{"run": {"exp": 8, "run": 2}, "scalars": [{"name": "a b", "value": 1}]}"#, "without spaces"),
        ] {
            try text.write(toFile: folder.file(JobRunner.monitoringFile), atomically: true, encoding: .utf8)
            #expect(throws: ConveyorError.self) { try runner.readMonitoring() }
            do { _ = try runner.readMonitoring() } catch { #expect(error.message.contains(words), "\(error.message)") }
        }
    }
}
