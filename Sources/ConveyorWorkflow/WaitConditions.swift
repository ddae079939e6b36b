import ConveyorCore
import ConveyorStore
import Foundation

extension WaitCondition {
    /// Whether the condition holds now.
    func isMet(in store: Store, now: Timestamp) async throws(ConveyorError) -> Bool {
        switch self {
        case .until(let moment):
            return now >= moment
        case .runEnded(let run, let hours):
            guard let stop = try await store.read({ try await $0.run(run) })?.record.stop else { return false }
            return now.microsecondsSinceEpoch >= stop.microsecondsSinceEpoch + Int64(hours * 3_600_000_000)
        case .filesOnDisk(let site, let lfns):
            let missing = try await store.read { session in
                var missing: [String] = []
                for lfn in lfns {
                    let file = try await session.file(lfn: lfn)
                    if file?.replicas.contains(where: { $0.site == site && $0.storage == .disk && $0.state == .available }) != true { missing.append(lfn) }
                }
                return missing
            }
            return missing.isEmpty
        case .pathExists(let path):
            return FileManager.default.fileExists(atPath: path)
        case .promptReleased(let runs):
            return try await store.read { session in
                guard let from = try await session.promptHandshake().trackFrom else { return true }
                for run in runs where run >= from {
                    // Not yet tracked counts as not released; an abandoned run never holds it.
                    guard let tracked = try await session.promptRuns(run: run).first else { return false }
                    if tracked.releasedAt == nil && tracked.disposition != .abandoned { return false }
                }
                return true
            }
        case .rulesOK(let request):
            // Output rules only: the staging pins end with the request, they do not hold it up.
            let rules = try await store.read { try await $0.rules(request: request) }.filter { $0.activity != "Staging" }
            return rules.allSatisfy { $0.state == .OK }
        }
    }
}
