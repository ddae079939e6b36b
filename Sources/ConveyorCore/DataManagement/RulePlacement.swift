/// Where a rule's copies go: Rucio's choice, made without I/O.
///
/// Endpoints already holding a group's files come first (no copy needed), then those with the
/// most free space; a group (all files, each dataset, or each file, by the rule's grouping) is
/// kept together, and no endpoint is given more bytes than it has free.
///
/// ```swift
/// let placement = try RulePlacement.place(files, copies: 2, grouping: .dataset, on: candidates)
/// placement[fileID]   // ["BNL_DISK", "KEKCC_DISK"]
/// ```
public enum RulePlacement {
    /// A file to place: its group key (its dataset) and the endpoints that hold a copy already.
    public struct File: Sendable, Hashable {
        public var id: Int64
        public var group: String
        public var size: Int64
        public var holders: Set<String>

        public init(id: Int64, group: String, size: Int64, holders: Set<String>) {
            self.id = id
            self.group = group
            self.size = size
            self.holders = holders
        }
    }

    /// An endpoint the expression selected, with its free bytes (nil: no quota).
    public struct Candidate: Sendable, Hashable {
        public var name: String
        public var freeBytes: Int64?
        /// What bounds `freeBytes` when it is not the endpoint's own quota (an owner's quota), for the refusal.
        public var boundBy: String?

        public init(name: String, freeBytes: Int64?, boundBy: String? = nil) {
            self.name = name
            self.freeBytes = freeBytes
            self.boundBy = boundBy
        }
    }

    public static func place(
        _ files: [File], copies: Int, grouping: RuleGrouping, on candidates: [Candidate]
    ) throws(ConveyorError)
        -> [Int64: [String]]
    {
        guard candidates.count >= copies else {
            throw .invalidInput("\(copies) copies asked for, but the expression selects only \(candidates.count) endpoint(s)")
        }
        var free: [String: Int64] = [:]
        for candidate in candidates { if let bytes = candidate.freeBytes { free[candidate.name] = bytes } }
        var groups: [String: [File]] = [:]
        var order: [String] = []
        for file in files {
            let key: String
            switch grouping {
            case .all: key = ""
            case .dataset: key = file.group
            case .none: key = String(file.id)
            }
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(file)
        }
        var placement: [Int64: [String]] = [:]
        for key in order {
            let members = groups[key] ?? []
            func held(_ name: String) -> Int { members.filter { $0.holders.contains(name) }.count }
            func missingBytes(_ name: String) -> Int64 { members.filter { !$0.holders.contains(name) }.reduce(0) { $0 + $1.size } }
            let ranked = candidates.sorted { a, b in
                let (ha, hb) = (held(a.name), held(b.name))
                if ha != hb { return ha > hb }
                let (fa, fb) = (free[a.name] ?? .max, free[b.name] ?? .max)
                if fa != fb { return fa > fb }
                return a.name < b.name
            }
            var chosen: [String] = []
            for candidate in ranked where chosen.count < copies {
                let needed = missingBytes(candidate.name)
                if let left = free[candidate.name], needed > left { continue }
                chosen.append(candidate.name)
                if let left = free[candidate.name] { free[candidate.name] = left - needed }
            }
            guard chosen.count == copies else {
                let bytes = members.reduce(Int64(0)) { $0 + $1.size }
                throw .invalidInput(
                    "over quota: \(copies) copies of \(ByteCount.describe(bytes)) do not fit the free space of the selected endpoints (\(candidates.map { "\($0.name) \($0.freeBytes.map(ByteCount.describe) ?? "unbounded")\($0.boundBy.map { " under \($0)" } ?? "")" }.joined(separator: ", ")))"
                )
            }
            for file in members { placement[file.id] = chosen.sorted() }
        }
        return placement
    }
}
