import ConveyorCore
import Foundation

/// The folders of a submission's jobs, shared by the executors: `SUBMISSION/ARRAY_INDEX/job.sh`
/// (the environment and the command), then `stdout` and `stderr` beside it.
enum JobFolders {
    static func prepare(_ submission: BatchSubmission) throws(ConveyorError) {
        do {
            let fm = FileManager.default
            try fm.createDirectory(atPath: submission.directory, withIntermediateDirectories: true)
            for job in submission.jobs {
                let folder = "\(submission.directory)/\(job.arrayIndex)"
                try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
                let exports = job.environment.sorted { $0.key < $1.key }.map { "export \($0.key)=\(quoted($0.value))" }.joined(separator: "\n")
                guard fm.createFile(atPath: folder + "/job.sh", contents: Data("\(exports)\n\(job.command)\n".utf8)) else {
                    throw CocoaError(.fileWriteUnknown)
                }
            }
        } catch {
            throw .unavailable("cannot prepare job folders in \(submission.directory): \(error.localizedDescription)")
        }
    }

    static func quoted(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
