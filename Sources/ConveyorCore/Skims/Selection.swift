/// A physics selection (a skim or stripping line) in the registry: what it is called, which
/// physics group owns it, who coordinates it, the command that runs it and its version, the
/// retention its group expects, and its prescale. Every change is a new version; the older ones
/// are its history.
///
/// The command follows the selection protocol (README, "Skims and stripping rounds"): it reads the
/// mDST files in `$CONVEYOR_INPUT`, writes the ordinal of each event it keeps, one per line, to
/// `$CONVEYOR_SELECTED`, and where `$CONVEYOR_OUTPUT` is set writes those events there.
///
/// ```swift
/// let selection = Selection(name: "jpsi_mumu", group: "charmonium", coordinator: "alice",
///                           command: "conveyor-sim select --trigger mumu --mass 2.95-3.25", version: "v3")
/// try selection.validate()
/// ```
public struct Selection: Codable, Sendable, Equatable {
    public var name: String
    public var group: String
    public var coordinator: String
    public var command: String
    public var version: String
    /// The share of input events the group expects it to keep, if it said.
    public var expectedRetention: Double?
    /// One event kept in `prescale` of those that pass; its outputs carry the luminosity divided by it.
    public var prescale: Int
    /// Random-trigger events: kept in a stream of their own, never grouped with physics.
    public var random: Bool
    public var revision: Int
    public var changedAt: Timestamp
    public var changedBy: String
    public var reason: String

    public init(
        name: String, group: String, coordinator: String, command: String, version: String, expectedRetention: Double? = nil, prescale: Int = 1,
        random: Bool = false, revision: Int = 0, changedAt: Timestamp = .now, changedBy: String = "", reason: String = ""
    ) {
        self.name = name
        self.group = group
        self.coordinator = coordinator
        self.command = command
        self.version = version
        self.expectedRetention = expectedRetention
        self.prescale = prescale
        self.random = random
        self.revision = revision
        self.changedAt = changedAt
        self.changedBy = changedBy
        self.reason = reason
    }

    /// Refuses values no selection can have, naming the field.
    public func validate() throws(ConveyorError) {
        try Self.validateName(name, "selection")
        guard !group.trimmingCharacters(in: .whitespaces).isEmpty else { throw .invalidInput("selection \(name) needs its physics group") }
        guard !coordinator.trimmingCharacters(in: .whitespaces).isEmpty else { throw .invalidInput("selection \(name) needs its coordinator") }
        guard !command.trimmingCharacters(in: .whitespaces).isEmpty else { throw .invalidInput("selection \(name) needs its command") }
        guard !version.trimmingCharacters(in: .whitespaces).isEmpty else { throw .invalidInput("selection \(name) needs its version") }
        if let expected = expectedRetention, !(expected > 0 && expected <= 1) {
            throw .invalidInput("selection \(name): the expected retention is a share of events in (0, 1], not \(expected)")
        }
        guard prescale >= 1 else { throw .invalidInput("selection \(name): the prescale is at least 1, not \(prescale)") }
    }

    /// Names of selections, rounds and streams: a letter, then letters, digits, `_` or `-`, at most 64.
    public static func validateName(_ name: String, _ what: String) throws(ConveyorError) {
        guard let first = name.unicodeScalars.first, first.properties.isAlphabetic, first.isASCII, name.count <= 64,
            name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-") })
        else {
            throw .invalidInput("\(what) name '\(name)' must start with a letter and hold only letters, digits, _ or - (at most 64)")
        }
    }

    /// The program the command starts: its first word.
    public var program: String { String(command.split(separator: " ", omittingEmptySubsequences: true).first ?? "") }
}
