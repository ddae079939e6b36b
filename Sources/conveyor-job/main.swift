import ConveyorJob
import Foundation

// conveyor-job [FOLDER]: runs the job described by FOLDER/job.json (the working directory by
// default) and writes FOLDER/report.json. Exit status 0 when the job succeeded, 1 when it failed
// (the report says why), 2 when no report could be written.
let arguments = CommandLine.arguments.dropFirst()
if arguments.first == "--help" || arguments.first == "-h" {
    print("usage: conveyor-job [FOLDER]   runs FOLDER/job.json (default: .) and writes FOLDER/report.json")
    exit(0)
}
let folder = arguments.first ?? FileManager.default.currentDirectoryPath
let runner = JobRunner(folder: folder)
let report = runner.run()
if !FileManager.default.fileExists(atPath: runner.resolve("report.json")) {
    FileHandle.standardError.write(Data("conveyor-job: cannot write report.json in \(folder)\n".utf8))
    exit(2)
}
if let failure = report.failure { FileHandle.standardError.write(Data("conveyor-job: \(failure)\n".utf8)) }
exit(report.succeeded ? 0 : 1)
