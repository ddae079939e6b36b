import ConveyorCore
import Foundation

extension Actor {
    /// The operating-system user running this process, acting with admin rights.
    static var currentLocalOperator: Actor {
        var name = ProcessInfo.processInfo.environment["USER"] ?? ""
        if let entry = getpwuid(geteuid()), let pwName = entry.pointee.pw_name {
            name = String(cString: pwName)
        }
        return .localOperator(named: name.isEmpty ? "uid\(geteuid())" : name)
    }
}
