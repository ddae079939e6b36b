import ConveyorCore
import Foundation

/// The folders of a submission's jobs, shared by the executors. The scheduler writes few files
/// however large the submission: the elements' scripts go into `SUBMISSION/scripts-K.sh`, a
/// hundred elements per file, and each element's wrapper makes its own folder
/// `SUBMISSION/ARRAY_INDEX/` (where its `stdout`, `stderr` and `result` go) when it starts. An
/// element whose folder must hold everything it needs (a pool that transfers files: the sandbox
/// gets the folder only), or whose folder exists already (a described job), gets its own
/// `job.sh` there instead.
enum JobFolders {
    /// Elements per scripts file: a wrapper's shell parses one file of at most this many.
    static let elementsPerScriptsFile = 100

    static func prepare(_ submission: BatchSubmission, ownFolders: Bool = false) throws(ConveyorError) {
        do {
            let fm = FileManager.default
            try fm.createDirectory(atPath: submission.directory, withIntermediateDirectories: true)
            let end = "CONVEYOR_SCRIPT_END_\(submission.uuid.prefix(8))"
            var files: [Int: String] = [:]
            for job in submission.jobs {
                let exports = job.environment.sorted { $0.key < $1.key }.map { "export \($0.key)=\(quoted($0.value))" }.joined(separator: "\n")
                let script = "\(exports)\n\(job.command)\n"
                let folder = "\(submission.directory)/\(job.arrayIndex)"
                if ownFolders || !job.transferIn.isEmpty || fm.fileExists(atPath: folder) {
                    try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
                    guard fm.createFile(atPath: folder + "/job.sh", contents: Data(script.utf8)) else { throw CocoaError(.fileWriteUnknown) }
                    continue
                }
                // A quoted here-document keeps the command as written, whatever shell syntax it holds.
                files[job.arrayIndex / elementsPerScriptsFile, default: "case \"$1\" in\n"] +=
                    "\(job.arrayIndex)) script=$(cat <<'\(end)'\n\(script)\(end)\n) ;;\n"
            }
            for (number, arms) in files {
                let text =
                    "# Conveyor submission \(submission.uuid): element scripts by array index\n\(arms)"
                    + "*) echo \"conveyor: no element $1 in $0\" >&2; exit 127 ;;\nesac\nexec /bin/sh -c \"$script\"\n"
                guard fm.createFile(atPath: "\(submission.directory)/scripts-\(number).sh", contents: Data(text.utf8)) else {
                    throw CocoaError(.fileWriteUnknown)
                }
            }
        } catch {
            throw .unavailable("cannot prepare job folders in \(submission.directory): \(error.localizedDescription)")
        }
    }

    /// The shell lines that run the element in the current folder (`$1`): its own `job.sh`, else
    /// its arm of the submission's scripts file.
    static let runElement = """
        if [ -f job.sh ]; then set -- ./job.sh; else i=${PWD##*/}; set -- "../scripts-$((i / \(elementsPerScriptsFile))).sh" "$i"; fi
        """

    /// Runs one element of a batch submission in its folder (`run.sh FOLDER WHO`), and runs it at
    /// most once however many copies reach the batch system (a scheduler that lost its lease in
    /// the middle of a call, a submission found missing and sent again): the first copy claims
    /// the folder with an exclusive create; a later copy waits for the first one's result and
    /// ends with its exit code. The exit code is written into the folder (`result`), so a job that
    /// ended while the scheduler was away and the batch system forgot it is still found finished.
    static let elementWrapper = """
        #!/bin/sh
        # Runs one element of a Conveyor submission: claims its folder (exactly once), runs it, records the exit code.
        mkdir -p "$1" && cd "$1" || exit 1
        set -C
        if { echo "$2" > claim; } 2>/dev/null; then
          set +C
          \(runElement)
          /bin/sh "$@" > stdout 2> stderr < /dev/null
          code=$?
          echo $code > result.partial && mv result.partial result
          exit $code
        fi
        set +C
        while [ ! -f result ]; do sleep 2; done
        read -r code < result
        exit "$code"

        """

    /// Writes ``elementWrapper`` into the submission's folder. - Returns: its path.
    static func writeElementWrapper(_ submission: BatchSubmission) throws(ConveyorError) -> String {
        let path = submission.directory + "/run.sh"
        guard FileManager.default.createFile(atPath: path, contents: Data(elementWrapper.utf8)) else {
            throw .unavailable("cannot write \(path)")
        }
        return path
    }

    /// What an element's folder says of its end: its `result`, when the wrapper wrote one.
    static func recordedEnd(uuid: String, directory: String, arrayIndex: Int) -> BatchJobStatus? {
        let folder = "\(directory)/\(arrayIndex)"
        guard let text = try? String(contentsOfFile: folder + "/result", encoding: .utf8),
            let code = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else { return nil }
        return BatchJobStatus(uuid: uuid, arrayIndex: arrayIndex, state: code == 0 ? .succeeded : .failed, exitCode: code, reason: reason(forExitCode: code))
    }

    /// What a job's exit code says about how it ended, as every executor reports it (nil for 0).
    static func reason(forExitCode code: Int) -> String? {
        if code == 127 { return "command not found (exit code 127)" }
        if code > 128 { return "killed by signal \(code - 128)" }
        return code == 0 ? nil : "exit code \(code)"
    }

    static func quoted(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
