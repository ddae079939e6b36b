import ArgumentParser
import Foundation

/// Reads `CONVEYOR_*` variables for options not given.
enum JobVariables {
    static func value(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    static func inputs(_ given: [String]) throws -> [String] {
        let list = given.isEmpty ? (value("CONVEYOR_INPUT")?.split(separator: " ").map(String.init) ?? []) : given
        guard !list.isEmpty else { throw SimulationError("no input files (give them, or set CONVEYOR_INPUT)") }
        return list
    }

    static func required(_ given: String?, _ variable: String, _ what: String) throws -> String {
        guard let value = given ?? value(variable) else { throw SimulationError("no \(what) (give it, or set \(variable))") }
        return value
    }

    /// Appends `key=value` lines to `$CONVEYOR_REPORT` (and prints them).
    static func report(_ pairs: [(String, String)]) {
        let text = pairs.map { "\($0.0)=\($0.1)" }.joined(separator: "\n") + "\n"
        print(text, terminator: "")
        guard let path = value("CONVEYOR_REPORT") else { return }
        if let handle = FileHandle(forWritingAtPath: path) {
            handle.seekToEndOfFile()
            handle.write(Data(text.utf8))
            try? handle.close()
        } else {
            try? text.write(toFile: path, atomically: true, encoding: .utf8)
        }
    }
}
