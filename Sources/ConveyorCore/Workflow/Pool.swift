/// The batch system behind a pool.
public enum ExecutorKind: String, CaseIterable, Codable, Sendable, NamedValueSet {
    public static let valueKind = "executor"
    public static let isUppercase = false
    /// Processes on this machine.
    case local
    case slurm
    case htcondor
    /// IBM Spectrum LSF (KEKCC).
    case lsf
}

/// A named set of slots (a site or queue) with the executor that runs its jobs. The scheduler
/// never has more of a pool's job elements in flight than it has slots.
///
/// ```swift
/// let pool = try Pool(name: "kekcc", executor: .slurm, slots: 2_000, options: ["partition": "belle"])
/// ```
public struct Pool: Codable, Sendable, Equatable {
    public let name: String
    public let executor: ExecutorKind
    public let slots: Int
    /// Executor settings: `partition`, `account`, `directory` (where job folders go), `max_array_size`…
    public let options: [String: String]

    public init(name: String, executor: ExecutorKind, slots: Int, options: [String: String] = [:]) throws(ConveyorError) {
        guard !name.isEmpty, name.count <= 64, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw .invalidInput("a pool name is 1–64 letters, digits, '-', '_' or '.'")
        }
        guard (1...1_000_000).contains(slots) else { throw .invalidInput("a pool has 1 to 1000000 slots, not \(slots)") }
        self.name = name
        self.executor = executor
        self.slots = slots
        self.options = options
    }
}

extension Pool {
    /// Whether the pool's batch system transfers files in and out instead of a shared file
    /// system (`file_transfer: yes`): jobs then carry their inputs and send their outputs back.
    public var transfersFiles: Bool { Self.transfersFiles(options) }

    public static func transfersFiles(_ options: [String: String]) -> Bool { options["file_transfer"] == "yes" }
}
