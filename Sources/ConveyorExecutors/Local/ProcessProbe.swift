#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Whether a process of this machine still runs.
public enum ProcessProbe {
    /// Alive and not a zombie: a killed process whose parent is gone may linger unreaped in a container.
    public static func isAlive(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(close, offsetBy: 2)] != "Z"
    }
}
