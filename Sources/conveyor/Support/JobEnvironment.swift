import ConveyorDataManagement
import ConveyorStore
import Foundation

/// What jobs started by this process must not inherit. Jobs carry what they need in their
/// description and report back; they never reach the database, so the database's address and
/// password leave this process's environment before a scheduler starts (the local launcher and
/// `sbatch --export=ALL` would pass them on).
enum JobEnvironment {
    /// Variables that name a database or carry its credentials, whatever their value.
    static let secrets = ["CONVEYOR_DB", "PGPASSWORD", "PGPASSFILE", "PGSERVICEFILE", "DATABASE_URL", "CONVEYOR_RUCIO_PASSWORD"]

    /// Removes ``secrets`` and every variable whose value holds the database's address, its
    /// password, or any PostgreSQL connection URL.
    static func scrub(for location: StoreLocation) {
        // Data management (Rucio's URL and password) is configured from the environment as it was.
        DataManagement.keepConfiguration()
        var giveaways = ["postgres://", "postgresql://", location.connectionURL]
        switch location {
        case .sqlite(let path): giveaways.append(path)
        case .postgres(let address): if let password = address.password, !password.isEmpty { giveaways.append(password) }
        }
        for (name, value) in ProcessInfo.processInfo.environment
        where secrets.contains(name) || giveaways.contains(where: { !$0.isEmpty && value.contains($0) }) {
            unsetenv(name)
        }
    }
}
