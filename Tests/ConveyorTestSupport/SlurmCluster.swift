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
