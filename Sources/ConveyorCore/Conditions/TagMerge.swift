/// Priority gap filling: several tags merged into one, where an earlier tag wins wherever two
/// cover the same run, and a later tag fills only the runs no earlier tag covers.
///
/// ```swift
/// let merged = TagMerge.merge([primary, fallback], within: try IntervalOfValidity(parsing: "8,0,8,-1"))
/// ```
public enum TagMerge {
    /// One IoV of the merged tag, pointing at the payload revision it came from.
    public struct Piece: Sendable, Hashable, Codable {
        public let name: String
        public let revision: Int
        public let payloadID: Int64
        public let sha256: String
        public let iov: IntervalOfValidity
    }

    /// `tags` in priority order (highest first), each as its live entries.
    public static func merge(_ tags: [[TagEntry]], within range: IntervalOfValidity? = nil) -> [Piece] {
        var covered: [String: [IntervalOfValidity]] = [:]
        var pieces: [Piece] = []
        for entries in tags {
            var added: [String: [IntervalOfValidity]] = [:]
            for entry in entries.sorted(by: { ($0.name, $0.iov) < ($1.name, $1.iov) }) {
                var candidates = [entry.iov]
                if let range { candidates = candidates.compactMap { $0.clipped(to: range) } }
                for taken in covered[entry.name] ?? [] {
                    candidates = candidates.flatMap { $0.subtracting(taken) }
                }
                for iov in candidates {
                    pieces.append(Piece(name: entry.name, revision: entry.revision, payloadID: entry.payloadID, sha256: entry.sha256, iov: iov))
                    added[entry.name, default: []].append(iov)
                }
            }
            // A tag does not shadow itself: its own IoVs are all taken before the next tag is looked at.
            for (name, iovs) in added { covered[name, default: []] += iovs }
        }
        return pieces.sorted { ($0.name, $0.iov) < ($1.name, $1.iov) }
    }
}

extension IntervalOfValidity {
    /// The runs of this interval that are not in `other`: zero, one or two intervals.
    public func subtracting(_ other: IntervalOfValidity) -> [IntervalOfValidity] {
        guard overlaps(other) else { return [self] }
        var pieces: [IntervalOfValidity] = []
        if start < other.start, let before = Bound.justBefore(other.start) {
            pieces.append(.between(start, before))
        }
        if other.upperBound < upperBound, let after = other.upperBound.successor {
            pieces.append(.between(after, upperBound))
        }
        return pieces
    }

    /// The part of this interval inside `range`, or nil if they do not meet.
    public func clipped(to range: IntervalOfValidity) -> IntervalOfValidity? {
        guard overlaps(range) else { return nil }
        return .between(Swift.max(start, range.start), Swift.min(upperBound, range.upperBound))
    }
}

/// `(String, IntervalOfValidity)` tuples compare lexicographically for sorting.
private func < (lhs: (String, IntervalOfValidity), rhs: (String, IntervalOfValidity)) -> Bool {
    lhs.0 != rhs.0 ? lhs.0 < rhs.0 : lhs.1 < rhs.1
}
