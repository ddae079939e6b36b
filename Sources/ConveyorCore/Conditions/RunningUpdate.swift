/// The Belle II running update: merging a VALIDATED staging tag into a RUNNING tag from a
/// `valid_from` run, as a plan of changes that the store then applies in one transaction.
///
/// The rules (DOMAIN.md): `valid_from` must lie after the start of every IoV in the running tag and
/// after the end of every closed one. Staging IoVs starting at (0,0) are moved to start at
/// `valid_from`; the others must start at or after it. For each payload name the staging tag
/// brings, the running tag's open IoV is closed just before the new coverage — or extended over
/// the first new IoV when that has the same revision. Closed IoVs are never touched.
///
/// ```swift
/// let plan = try RunningUpdate.plan(running: summary, staging: entries, validFrom: ExpRun(exp: 8, run: 500))
/// for change in plan.changes { print(change) }     // what a dry run prints
/// ```
public enum RunningUpdate {
    /// What the planner needs to know of the running tag: its open IoVs and two extremes, so a
    /// tag of a million IoVs is summarised by the database instead of loaded.
    public struct RunningTagSummary: Sendable {
        public var openEntries: [TagEntry]
        /// The latest start of any IoV in the tag.
        public var latestStart: ExpRun?
        /// The latest end of any closed IoV in the tag.
        public var latestClosedEnd: IntervalOfValidity.Bound?

        public init(openEntries: [TagEntry], latestStart: ExpRun?, latestClosedEnd: IntervalOfValidity.Bound?) {
            self.openEntries = openEntries
            self.latestStart = latestStart
            self.latestClosedEnd = latestClosedEnd
        }

        /// The summary of a tag given whole (tests, small tags).
        public init(entries: [TagEntry]) {
            openEntries = entries.filter(\.iov.isOpen)
            latestStart = entries.map(\.iov.start).max()
            latestClosedEnd = entries.filter { !$0.iov.isOpen }.map(\.iov.upperBound).max()
        }
    }

    public struct Change: Sendable, Hashable, Codable, CustomStringConvertible {
        public enum Kind: String, Sendable, Codable {
            /// A running IoV closed just before the new coverage.
            case close
            /// A running IoV extended over the first staging IoV of the same revision.
            case extend
            /// A staging IoV added to the running tag.
            case add
        }

        public let kind: Kind
        public let name: String
        public let revision: Int
        public let payloadID: Int64
        public let sha256: String
        /// The running IoV replaced (close, extend), or nil (add).
        public let replacedEntryID: Int64?
        public let oldIoV: IntervalOfValidity?
        public let newIoV: IntervalOfValidity

        public var description: String {
            switch kind {
            case .close: "close   \(name) rev \(revision): \(oldIoV!) -> \(newIoV)"
            case .extend: "extend  \(name) rev \(revision): \(oldIoV!) -> \(newIoV)"
            case .add: "add     \(name) rev \(revision): \(newIoV)"
            }
        }
    }

    public struct Plan: Sendable, Hashable, Codable {
        public let validFrom: ExpRun
        /// The earliest `valid_from` the running tag accepts (what a dry run suggests).
        public let earliestValidFrom: ExpRun
        public let changes: [Change]
    }

    /// The earliest acceptable `valid_from`: after every start and after every closed end.
    public static func earliestValidFrom(_ running: RunningTagSummary) -> ExpRun {
        var earliest = ExpRun(exp: 0, run: 0)
        if let start = running.latestStart { earliest = max(earliest, ExpRun(exp: start.exp, run: start.run + 1)) }
        if let end = running.latestClosedEnd, let after = end.successor { earliest = max(earliest, after) }
        return earliest
    }

    /// Plans the update, or refuses it with the reason (and the earliest acceptable run).
    public static func plan(running: RunningTagSummary, staging: [TagEntry], validFrom: ExpRun) throws(ConveyorError) -> Plan {
        let earliest = earliestValidFrom(running)
        guard validFrom >= earliest else {
            throw .invalidInput(
                "valid_from \(validFrom) is too early: the running tag has IoVs starting or ending up to it; the earliest acceptable valid_from is \(earliest)")
        }
        guard !staging.isEmpty else { throw .invalidInput("the staging tag holds no IoVs") }

        // Staging IoVs from (0,0) move to valid_from; the others must already start at or after it.
        var moved: [TagEntry] = []
        for entry in staging {
            var entry = entry
            if entry.iov.start == ExpRun(exp: 0, run: 0) {
                guard IntervalOfValidity.Bound.run(validFrom) <= entry.iov.upperBound else {
                    throw .invalidInput("staging IoV \(entry.iov) of \(entry.name) ends before valid_from \(validFrom)")
                }
                entry.iov = .between(validFrom, entry.iov.upperBound)
            } else if entry.iov.start < validFrom {
                throw .invalidInput("staging IoV \(entry.iov) of \(entry.name) starts before valid_from \(validFrom); only IoVs starting at 0,0 are moved")
            }
            moved.append(entry)
        }

        var changes: [Change] = []
        let openByName = Dictionary(grouping: running.openEntries, by: \.name)
        let stagingByName = Dictionary(grouping: moved, by: \.name)
        for name in stagingByName.keys.sorted() {
            var incoming = stagingByName[name]!.sorted { $0.iov < $1.iov }
            let newStart = incoming[0].iov.start
            for open in (openByName[name] ?? []).sorted(by: { $0.iov < $1.iov }) {
                if open.revision == incoming.first?.revision {
                    // Same payload continues: stretch the running IoV over the first new one.
                    let first = incoming.removeFirst()
                    let stretched = IntervalOfValidity.between(open.iov.start, first.iov.upperBound)
                    if stretched != open.iov {
                        changes.append(
                            Change(
                                kind: .extend, name: name, revision: open.revision, payloadID: open.payloadID,
                                sha256: open.sha256, replacedEntryID: open.id, oldIoV: open.iov, newIoV: stretched))
                    }
                } else {
                    // justBefore(newStart) exists and is ≥ open.start because newStart ≥ valid_from > open.start.
                    let closed = IntervalOfValidity.between(open.iov.start, IntervalOfValidity.Bound.justBefore(newStart)!)
                    changes.append(
                        Change(
                            kind: .close, name: name, revision: open.revision, payloadID: open.payloadID,
                            sha256: open.sha256, replacedEntryID: open.id, oldIoV: open.iov, newIoV: closed))
                }
            }
            for entry in incoming {
                changes.append(
                    Change(
                        kind: .add, name: name, revision: entry.revision, payloadID: entry.payloadID,
                        sha256: entry.sha256, replacedEntryID: nil, oldIoV: nil, newIoV: entry.iov))
            }
        }
        return Plan(validFrom: validFrom, earliestValidFrom: earliest, changes: changes)
    }
}
