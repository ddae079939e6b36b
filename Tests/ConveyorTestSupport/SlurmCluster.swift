import ConveyorCore
import Foundation

/// The single-node Slurm cluster `scripts/test` starts (scripts/slurm), when there is one.
public enum SlurmCluster {
    /// Its slurm.conf, exported by scripts/test as CONVEYOR_TEST_SLURM_CONF (and SLURM_CONF for the tools).
    public static var configuration: String? {
        ProcessInfo.processInfo.environment["CONVEYOR_TEST_SLURM_CONF"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether the Slurm suites run: with a cluster, and always under CI (where a missing cluster fails them).
    public static var enabled: Bool { configuration != nil || TestBackend.isCI }

    /// Throws when the suite should run but no cluster was started.
    public static func require() throws {
        guard configuration != nil else {
            throw ConveyorError.unavailable("CONVEYOR_TEST_SLURM_CONF is not set: no Slurm cluster to test against (scripts/test starts one)")
        }
    }
}

extension SlurmCluster {
    /// Runs `body` while no test stops the cluster's controller (tests run in parallel in one process).
    public static func shared<T>(_ body: () async throws -> T) async throws -> T { try await locked(exclusive: false, body) }

    /// Runs `body` alone on the cluster: for tests that stop and start its controller.
    public static func exclusive<T>(_ body: () async throws -> T) async throws -> T { try await locked(exclusive: true, body) }

    static func locked<T>(exclusive: Bool, _ body: () async throws -> T) async throws -> T {
        await ClusterLock.instance.lock(exclusive: exclusive)
        do {
            let result = try await body()
            await ClusterLock.instance.unlock(exclusive: exclusive)
            return result
        } catch {
            await ClusterLock.instance.unlock(exclusive: exclusive)
            throw error
        }
    }
}

/// A readers–writer lock over the one test cluster; a waiting writer keeps new readers out.
actor ClusterLock {
    static let instance = ClusterLock()
    private var readers = 0
    private var writer = false
    private var writersWaiting = 0

    func lock(exclusive: Bool) async {
        if exclusive {
            writersWaiting += 1
            while writer || readers > 0 { try? await Task.sleep(for: .milliseconds(100)) }
            writersWaiting -= 1
            writer = true
        } else {
            while writer || writersWaiting > 0 { try? await Task.sleep(for: .milliseconds(100)) }
            readers += 1
        }
    }

    func unlock(exclusive: Bool) {
        if exclusive { writer = false } else { readers -= 1 }
    }
}
