/// The staging rules of a calibration tag (seed 001): for each payload name, no gaps and no
/// overlaps between its IoVs, and its last IoV left open.
///
/// ```swift
/// for violation in StagingRules.violations(in: entries) { print(violation) }
/// ```
public enum StagingRules {
    public struct Violation: Sendable, Hashable, Codable, CustomStringConvertible {
        public enum Kind: String, Sendable, Codable { case gap, overlap, lastNotOpen }
        public let kind: Kind
        public let name: String
        public let message: String
        public var description: String { "\(name): \(message)" }
    }

    public static func violations(in entries: [TagEntry]) -> [Violation] {
        var violations: [Violation] = []
        let byName = Dictionary(grouping: entries, by: \.name)
        for name in byName.keys.sorted() {
            let sorted = byName[name]!.sorted { $0.iov < $1.iov }
            for (a, b) in zip(sorted, sorted.dropFirst()) {
                if IntervalOfValidity.Bound.run(b.iov.start) <= a.iov.upperBound {
                    let overlapEnd = min(a.iov.upperBound, b.iov.upperBound)
                    violations.append(
                        Violation(
                            kind: .overlap, name: name,
                            message:
                                "overlap: IoVs \(a.iov) (rev \(a.revision)) and \(b.iov) (rev \(b.revision)) both cover runs \(b.iov.start) to \(overlapEnd)"))
                } else if let next = a.iov.upperBound.successor, next != b.iov.start {
                    let last = IntervalOfValidity.Bound.justBefore(b.iov.start).map(\.description) ?? "?"
                    violations.append(
                        Violation(
                            kind: .gap, name: name,
                            message: "gap: runs \(next) to \(last) are not covered (between \(a.iov) and \(b.iov))"))
                }
            }
            if let last = sorted.max(by: { $0.iov.upperBound < $1.iov.upperBound }), !last.iov.isOpen {
                violations.append(
                    Violation(
                        kind: .lastNotOpen, name: name,
                        message: "last IoV \(last.iov) (rev \(last.revision)) is not open; it should end -1,-1"))
            }
        }
        return violations
    }
}
