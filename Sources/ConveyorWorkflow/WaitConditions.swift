import ConveyorCore
import ConveyorStore
import Foundation

extension WaitCondition {
    /// Whether the condition holds now, and a line saying why not.
    func check(in store: Store, now: Timestamp) async throws(ConveyorError) -> (met: Bool, detail: String) {
        switch self {
        case .until(let moment):
            return (now >= moment, "waiting until \(moment.iso8601)")
        case .runEnded(let run, let hours):
            guard let registered = try await store.read({ try await $0.run(run) }) else { return (false, "run \(run) is not registered yet") }
            guard let stop = registered.record.stop else { return (false, "run \(run) has not ended") }
            let due = Timestamp(microsecondsSinceEpoch: stop.microsecondsSinceEpoch + Int64(hours * 3_600_000_000))
            return (now >= due, "run \(run) ended at \(stop.iso8601); waiting until \(due.iso8601)")
        case .filesOnDisk(let site, let lfns):
            let missing = try await store.read { session in
                var missing: [String] = []
                for lfn in lfns {
                    let file = try await session.file(lfn: lfn)
                    if file?.replicas.contains(where: { $0.site == site && $0.storage == .disk && $0.state == .available }) != true { missing.append(lfn) }
                }
                return missing
            }
            return (missing.isEmpty, "\(missing.count) of \(lfns.count) files not yet on disk at \(site)")
        case .pathExists(let path):
            return (FileManager.default.fileExists(atPath: path), "waiting for \(path)")
        }
    }
}
