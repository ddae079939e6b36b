/// The differences between two tags, by payload name, revision, checksum and IoV.
///
/// An IoV present in both with another revision is *changed*; an IoV only in the first is
/// *removed*, only in the second *added*.
public struct TagDiff: Sendable, Hashable, Codable {
    public struct Side: Sendable, Hashable, Codable {
        public let name: String
        public let revision: Int
        public let sha256: String
        public let iov: IntervalOfValidity
    }

    public struct Changed: Sendable, Hashable, Codable {
        public let name: String
        public let iov: IntervalOfValidity
        public let fromRevision: Int
        public let toRevision: Int
        public let fromSHA256: String
        public let toSHA256: String
    }

    public let added: [Side]
    public let removed: [Side]
    public let changed: [Changed]

    public var isEmpty: Bool { added.isEmpty && removed.isEmpty && changed.isEmpty }

    /// Compares `a` with `b`, optionally only the IoVs covering `run`.
    public init(from a: [TagEntry], to b: [TagEntry], at run: ExpRun? = nil) {
        struct Key: Hashable { let name: String; let iov: IntervalOfValidity }
        func index(_ entries: [TagEntry]) -> [Key: TagEntry] {
            var index: [Key: TagEntry] = [:]
            index.reserveCapacity(entries.count)
            for entry in entries where run.map(entry.iov.contains) ?? true {
                index[Key(name: entry.name, iov: entry.iov)] = entry
            }
            return index
        }
        let left = index(a)
        let right = index(b)
        var added: [Side] = []
        var removed: [Side] = []
        var changed: [Changed] = []
        for (key, old) in left {
            if let new = right[key] {
                if new.revision != old.revision || new.sha256 != old.sha256 {
                    changed.append(
                        Changed(
                            name: key.name, iov: key.iov, fromRevision: old.revision, toRevision: new.revision,
                            fromSHA256: old.sha256, toSHA256: new.sha256))
                }
            } else {
                removed.append(Side(name: old.name, revision: old.revision, sha256: old.sha256, iov: old.iov))
            }
        }
        for (key, new) in right where left[key] == nil {
            added.append(Side(name: new.name, revision: new.revision, sha256: new.sha256, iov: new.iov))
        }
        self.added = added.sorted { ($0.name, $0.iov.start) < ($1.name, $1.iov.start) }
        self.removed = removed.sorted { ($0.name, $0.iov.start) < ($1.name, $1.iov.start) }
        self.changed = changed.sorted { ($0.name, $0.iov.start) < ($1.name, $1.iov.start) }
    }
}

private func < (lhs: (String, ExpRun), rhs: (String, ExpRun)) -> Bool {
    lhs.0 != rhs.0 ? lhs.0 < rhs.0 : lhs.1 < rhs.1
}
