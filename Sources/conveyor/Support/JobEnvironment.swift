import Foundation

/// What jobs started by this process must not inherit. Jobs carry what they need in their
/// description and report back; they never reach the database, so the database's address and
/// password leave this process's environment before a scheduler starts (the local launcher and
/// `sbatch --export=ALL` would pass them on).
enum JobEnvironment {
    /// Variables that name a database or carry its credentials.
    static let secrets = ["CONVEYOR_DB", "PGPASSWORD", "PGPASSFILE", "PGSERVICEFILE", "DATABASE_URL"]

    static func scrub() {
        for name in secrets { unsetenv(name) }
    }
}
