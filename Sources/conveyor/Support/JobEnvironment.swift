import ConveyorStore
import Foundation

/// What jobs started by this process inherit so that Conveyor's own job wrappers (`conveyor
/// request job …`) reach the same database with the same program: `CONVEYOR_DB` and
/// `CONVEYOR_EXECUTABLE`. Set before a scheduler starts; the local launcher and `sbatch` pass
/// the environment on.
enum JobEnvironment {
    static func export(for location: StoreLocation) {
        setenv("CONVEYOR_DB", location.connectionURL, 1)
        if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            setenv("CONVEYOR_EXECUTABLE", executable, 1)
        }
    }
}
