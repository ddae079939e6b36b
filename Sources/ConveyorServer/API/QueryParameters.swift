import ConveyorCore
import Hummingbird

/// Typed query parameters with the domain's one-line errors.
struct QueryParameters {
    let values: Parameters

    init(_ request: Request) {
        values = request.uri.queryParameters
    }

    func string(_ name: String) -> String? {
        values[Substring(name)].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Every value given for `name`, repeated (`name=A&name=B`) or comma-separated (`name=A,B`).
    func list(_ name: String) -> [String] {
        values.getAll(name).flatMap { $0.split(separator: ",") }.map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func bool(_ name: String) throws(ConveyorError) -> Bool {
        guard let text = string(name) else { return false }
        switch text.lowercased() {
        case "1", "true", "yes": return true
        case "0", "false", "no": return false
        default: throw .invalidInput("\(name) must be true or false, not '\(text)'")
        }
    }

    func int(_ name: String) throws(ConveyorError) -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text) else { throw .invalidInput("\(name) must be a whole number, not '\(text)'") }
        return value
    }

    /// An experiment number: whole, 0 or more, within a 32-bit counter.
    func experiment(_ name: String = "exp") throws(ConveyorError) -> Int? {
        guard let value = try int(name) else { return nil }
        guard (0...Int(Int32.max)).contains(value) else { throw .invalidInput("\(name) must be an experiment number from 0 to \(Int32.max), not \(value)") }
        return value
    }

    func timestamp(_ name: String) throws(ConveyorError) -> Timestamp? {
        try string(name).map { text throws(ConveyorError) in try Timestamp(parsing: text) }
    }

    /// A run from `exp` and `run`, or from `run=EXP:RUN`.
    func run() throws(ConveyorError) -> ExpRun {
        if let text = string("run"), text.contains(":") { return try ExpRun(parsing: text) }
        guard let exp = try experiment(), let run = try int("run") else {
            throw .invalidInput("give the run as exp=E&run=R (or run=E:R)")
        }
        guard exp >= 0, run >= 0 else { throw .invalidInput("exp and run must not be negative") }
        return ExpRun(exp: exp, run: run)
    }

    func optionalRun() throws(ConveyorError) -> ExpRun? {
        string("run") == nil && string("exp") == nil ? nil : try run()
    }
}
