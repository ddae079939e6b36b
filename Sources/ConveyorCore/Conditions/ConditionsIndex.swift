/// One tag's IoVs arranged for lookups: per payload name, starts sorted for binary search.
///
/// Within one name a tag's IoVs never overlap (uploads refuse overlaps), so the IoV covering a run,
/// if any, is the last one starting at or before it.
///
/// ```swift
/// let index = ConditionsIndex(entries: try await store.read { try await $0.entries(ofTag: tag.id) })
/// index.resolve(name: "BeamSpot", at: ExpRun(exp: 8, run: 1234))   // TagEntry?
/// index.resolveAll(at: run)                                       // one entry per covered name
/// ```
public struct ConditionsIndex: Sendable {
    struct Series: Sendable {
        let name: String
        var starts: [Int64] = []
        var ends: [Int64] = []
        var entries: [TagEntry] = []
    }

    /// Sorted by name; `position` maps a name to its series.
    private let series: [Series]
    private let position: [String: Int]

    public init(entries: [TagEntry]) {
        var grouped: [String: [TagEntry]] = [:]
        for entry in entries { grouped[entry.name, default: []].append(entry) }
        var series: [Series] = []
        series.reserveCapacity(grouped.count)
        for name in grouped.keys.sorted() {
            var s = Series(name: name)
            for entry in grouped[name]!.sorted(by: { $0.iov < $1.iov }) {
                s.starts.append(Self.key(entry.iov.start))
                s.ends.append(Self.key(entry.iov.upperBound))
                s.entries.append(entry)
            }
            series.append(s)
        }
        self.series = series
        self.position = Dictionary(series.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The payload names the tag holds, sorted.
    public var names: [String] { series.map(\.name) }

    public var entryCount: Int { series.reduce(0) { $0 + $1.entries.count } }

    public func resolve(name: String, at run: ExpRun) -> TagEntry? {
        guard let i = position[name] else { return nil }
        return Self.lookup(series[i], Self.key(run))
    }

    /// The covering entry of every name that has one for `run`, in name order.
    public func resolveAll(at run: ExpRun) -> [TagEntry] {
        let key = Self.key(run)
        var found: [TagEntry] = []
        found.reserveCapacity(series.count)
        for s in series {
            if let entry = Self.lookup(s, key) { found.append(entry) }
        }
        return found
    }

    private static func lookup(_ s: Series, _ key: Int64) -> TagEntry? {
        // The last start ≤ key.
        var low = 0
        var high = s.starts.count
        while low < high {
            let mid = (low + high) / 2
            if s.starts[mid] <= key { low = mid + 1 } else { high = mid }
        }
        guard low > 0, key <= s.ends[low - 1] else { return nil }
        return s.entries[low - 1]
    }

    /// Runs and bounds packed into one ordered integer: experiment in the high half.
    static func key(_ run: ExpRun) -> Int64 { Int64(run.exp) << 32 | Int64(run.run) }

    static func key(_ bound: IntervalOfValidity.Bound) -> Int64 {
        switch bound {
        case .run(let run): key(run)
        case .endOfExperiment(let exp): Int64(exp) << 32 | 0xFFFF_FFFF
        case .open: Int64.max
        }
    }
}

/// Which payload a job gets for one name at one run, and from which tag of its stack.
public struct Resolution: Sendable, Hashable, Codable {
    public let name: String
    public let revision: Int
    public let sha256: String
    public let iov: IntervalOfValidity
    public let tag: String

    public init(name: String, revision: Int, sha256: String, iov: IntervalOfValidity, tag: String) {
        self.name = name
        self.revision = revision
        self.sha256 = sha256
        self.iov = iov
        self.tag = tag
    }
}

/// An ordered list of tags, highest priority first: each payload comes from the first tag that
/// has it for the run (seed 000's three-tag stack).
public struct ConditionsStack: Sendable {
    public let layers: [(tag: String, index: ConditionsIndex)]

    public init(_ layers: [(tag: String, index: ConditionsIndex)]) {
        self.layers = layers
    }

    /// Resolves `names` (every name any layer holds when nil) at `run`, in name order;
    /// names no layer covers are left out.
    public func resolve(at run: ExpRun, names: [String]? = nil) -> [Resolution] {
        if layers.count == 1, names == nil {
            let tag = layers[0].tag
            return layers[0].index.resolveAll(at: run).map {
                Resolution(name: $0.name, revision: $0.revision, sha256: $0.sha256, iov: $0.iov, tag: tag)
            }
        }
        let wanted = names ?? Array(Set(layers.flatMap { $0.index.names })).sorted()
        var out: [Resolution] = []
        out.reserveCapacity(wanted.count)
        for name in wanted {
            for layer in layers {
                if let entry = layer.index.resolve(name: name, at: run) {
                    out.append(Resolution(name: name, revision: entry.revision, sha256: entry.sha256, iov: entry.iov, tag: layer.tag))
                    break
                }
            }
        }
        return out
    }
}
