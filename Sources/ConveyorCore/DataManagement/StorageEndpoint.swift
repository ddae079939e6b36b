import Foundation

/// One storage area at a site, disk or tape, as Rucio's RSE: where replicas live, what they may
/// use, and how files are copied in and out.
///
/// ```swift
/// let disk = try StorageEndpoint(name: "KEKCC_DISK", site: "KEKCC", kind: .disk, prefix: "/data/kekcc",
///                                attributes: ["tier": "1", "country": "JP"], quotaBytes: 10 << 40)
/// disk.path(of: "/belle/Raw/e0008/r00001/raw_0.sroot")   // "/data/kekcc/belle/Raw/e0008/r00001/raw_0.sroot"
/// ```
public struct StorageEndpoint: Sendable, Hashable, Codable {
    public var name: String
    public var site: String
    public var kind: StorageKind
    /// Any `key=value` the site expressions of rules select on (tier, type, country, …). The
    /// name, `site` and `kind` are attributes too, without being stored here.
    public var attributes: [String: String]
    /// The bytes Conveyor may use here; nil for no bound.
    public var quotaBytes: Int64?
    /// The bytes the rules of one owner may hold here (Rucio's account limits): the copies their
    /// locks stand for, each file once. An owner not named has only the endpoint's quota.
    public var ownerQuotas: [String: Int64]
    /// Deletable replicas are deleted, oldest first, while fewer bytes than this are free.
    public var freeSpaceTargetBytes: Int64?
    /// A replica of LFN `/a/b` lives at `prefix + /a/b`.
    public var prefix: String
    /// How a file is copied here from another endpoint: `{src}` and `{dst}` are replaced by the two paths.
    public var copyCommand: String
    /// For tape: how a file is brought back to the tape's disk buffer before it can be copied
    /// (`{path}` is its path), as `hstage` at KEKCC.
    public var recallCommand: String?
    /// How a replica is removed; nil removes a local file.
    public var deleteCommand: String?
    /// A copy, recall or delete that takes longer is stopped and counted as failed.
    public var timeoutSeconds: Int
    /// The most copies into this endpoint at once.
    public var concurrency: Int

    public init(
        name: String, site: String, kind: StorageKind, prefix: String, attributes: [String: String] = [:], quotaBytes: Int64? = nil,
        ownerQuotas: [String: Int64] = [:], freeSpaceTargetBytes: Int64? = nil, copyCommand: String = "cp {src} {dst}", recallCommand: String? = nil,
        deleteCommand: String? = nil,
        timeoutSeconds: Int = 600, concurrency: Int = 4
    ) throws(ConveyorError) {
        self.name = name
        self.site = site
        self.kind = kind
        self.prefix = prefix
        self.attributes = attributes
        self.quotaBytes = quotaBytes
        self.ownerQuotas = ownerQuotas
        self.freeSpaceTargetBytes = freeSpaceTargetBytes
        self.copyCommand = copyCommand
        self.recallCommand = recallCommand
        self.deleteCommand = deleteCommand
        self.timeoutSeconds = timeoutSeconds
        self.concurrency = concurrency
        try validate()
    }

    private enum CodingKeys: String, CodingKey {
        case name, site, kind, attributes, quotaBytes, ownerQuotas, freeSpaceTargetBytes, prefix, copyCommand, recallCommand, deleteCommand
        case timeoutSeconds, concurrency
    }

    /// Decodes and validates: an endpoint that breaks its rules is refused, whatever sent it.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            name: try c.decode(String.self, forKey: .name), site: try c.decode(String.self, forKey: .site), kind: try c.decode(StorageKind.self, forKey: .kind),
            prefix: try c.decode(String.self, forKey: .prefix), attributes: try c.decodeIfPresent([String: String].self, forKey: .attributes) ?? [:],
            quotaBytes: try c.decodeIfPresent(Int64.self, forKey: .quotaBytes),
            ownerQuotas: try c.decodeIfPresent([String: Int64].self, forKey: .ownerQuotas) ?? [:],
            freeSpaceTargetBytes: try c.decodeIfPresent(Int64.self, forKey: .freeSpaceTargetBytes),
            copyCommand: try c.decodeIfPresent(String.self, forKey: .copyCommand) ?? "cp {src} {dst}",
            recallCommand: try c.decodeIfPresent(String.self, forKey: .recallCommand),
            deleteCommand: try c.decodeIfPresent(String.self, forKey: .deleteCommand),
            timeoutSeconds: try c.decodeIfPresent(Int.self, forKey: .timeoutSeconds) ?? 600,
            concurrency: try c.decodeIfPresent(Int.self, forKey: .concurrency) ?? 4)
    }

    /// Attribute keys that are the endpoint's own fields and cannot be set as attributes.
    public static let builtInAttributes: Set<String> = ["name", "site", "kind"]

    public func validate() throws(ConveyorError) {
        try Self.validateName(name, what: "storage endpoint")
        try Self.validateName(site, what: "site")
        guard prefix.hasPrefix("/") || prefix.contains("://"), !prefix.contains("\n") else {
            throw .invalidInput("endpoint \(name): prefix '\(prefix)' must be an absolute path or a URL")
        }
        for (key, value) in attributes {
            guard !Self.builtInAttributes.contains(key) else { throw .invalidInput("endpoint \(name): '\(key)' is set by --\(key), not as an attribute") }
            guard Self.isWord(key), !value.isEmpty, value.count <= 100, value.allSatisfy({ Self.isWordCharacter($0) || $0 == "." || $0 == "-" }) else {
                throw .invalidInput("endpoint \(name): attribute '\(key)=\(value)' must be a word and a value of letters, digits, '_', '.', '-'")
            }
        }
        if let quotaBytes, quotaBytes < 0 { throw .invalidInput("endpoint \(name): the quota must not be negative") }
        for (owner, bytes) in ownerQuotas {
            guard !owner.isEmpty, owner.count <= 100, !owner.contains(where: { $0.isNewline || $0 == "=" }) else {
                throw .invalidInput("endpoint \(name): an owner's quota needs the owner's name (at most 100 characters, no '=' or line break)")
            }
            guard bytes >= 0 else { throw .invalidInput("endpoint \(name): \(owner)'s quota must not be negative") }
        }
        if let target = freeSpaceTargetBytes {
            guard target >= 0 else { throw .invalidInput("endpoint \(name): the free-space target must not be negative") }
            guard let quotaBytes, target <= quotaBytes else {
                throw .invalidInput("endpoint \(name): a free-space target needs a quota at least as large")
            }
        }
        guard copyCommand.contains("{src}"), copyCommand.contains("{dst}") else {
            throw .invalidInput("endpoint \(name): the copy command must name {src} and {dst}, not '\(copyCommand)'")
        }
        if kind == .tape {
            guard let recallCommand, !recallCommand.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw .invalidInput("tape endpoint \(name) needs a recall command (e.g. --recall 'hstage {path}')")
            }
        } else if recallCommand != nil {
            throw .invalidInput("endpoint \(name) is disk: only tape has a recall command")
        }
        guard (1...86_400).contains(timeoutSeconds) else { throw .invalidInput("endpoint \(name): the time limit must be 1 s to 1 day") }
        guard (1...1000).contains(concurrency) else { throw .invalidInput("endpoint \(name): concurrency must be 1–1000") }
    }

    /// Where this endpoint keeps a copy of `lfn`.
    public func path(of lfn: String) -> String {
        prefix.hasSuffix("/") ? String(prefix.dropLast()) + lfn : prefix + lfn
    }

    /// Whether a path is a file on this machine (copies are verified there; remote ones by their command).
    public var isLocal: Bool { prefix.hasPrefix("/") }

    /// Every attribute a site expression may select on, built-in ones included.
    public var allAttributes: [String: String] {
        var all = attributes
        all["name"] = name
        all["site"] = site
        all["kind"] = kind.rawValue
        return all
    }

    static func validateName(_ name: String, what: String) throws(ConveyorError) {
        guard !name.isEmpty, name.count <= 64, let first = name.first, first.isLetter,
            Self.isWord(name) || name.allSatisfy({ isWordCharacter($0) || $0 == "-" })
        else {
            throw .invalidInput("\(what) name '\(name)' must start with a letter and hold only letters, digits, '_' or '-' (at most 64)")
        }
    }

    static func isWordCharacter(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber || c == "_") }
    static func isWord(_ text: String) -> Bool { !text.isEmpty && text.allSatisfy(isWordCharacter) }
}
