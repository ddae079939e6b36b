import ConveyorCore
import Foundation

/// Fetches a job's pinned payloads from `conveyor serve` over HTTP — through an HTTP cache when
/// the description names one, as Frontier's Squids serve CMS's farms — and checks each against
/// its SHA-256 before the program sees it. It runs `curl`, which every worker node has, so that
/// the job runner stays a static program with no HTTP stack of its own.
struct ConditionsFetch {
    let conditions: JobDescription.Conditions

    func fetch(into folder: String) throws(ConveyorError) {
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw .unavailable("cannot make \(folder): \(error.localizedDescription)")
        }
        let base = conditions.location.hasSuffix("/") ? String(conditions.location.dropLast()) : conditions.location
        for payload in conditions.payloads ?? [] {
            let name = payload.name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? payload.name
            let url = "\(base)/api/v1/payloads/\(name)/\(payload.revision)"
            let target = (folder as NSString).appendingPathComponent(payload.name)
            try get(url, to: target)
            guard let bytes = FileManager.default.contents(atPath: target) else { throw .unavailable("\(payload.name): nothing arrived from \(url)") }
            let sha = PayloadChecksums(of: bytes).sha256
            guard sha == payload.sha256 else {
                throw .conflict(
                    "\(payload.name) revision \(payload.revision) arrived with SHA-256 \(sha.prefix(12))…, not \(payload.sha256.prefix(12))…: a cache served something else"
                )
            }
        }
    }

    private func get(_ url: String, to path: String) throws(ConveyorError) {
        var arguments = ["curl", "--silent", "--show-error", "--fail", "--retry", "3", "--max-time", "120", "--output", path]
        if let token = conditions.token { arguments += ["--header", "Authorization: Bearer \(token)"] }
        if let proxy = conditions.proxy { arguments += ["--proxy", proxy] } else { arguments += ["--noproxy", "*"] }
        arguments.append(url)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do { try process.run() } catch { throw .unavailable("conditions over HTTP need curl on the worker: \(error.localizedDescription)") }
        let said = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let line =
                String(decoding: said, as: UTF8.self).split(whereSeparator: \.isNewline).last.map(String.init) ?? "exit code \(process.terminationStatus)"
            throw .unavailable("fetching \(url) failed: \(line)")
        }
    }
}
