/// Which selections are written together, one file per stream per input (seed 003). Events kept
/// by selections of two streams are written twice; the grouping that writes fewest bytes puts
/// selections that keep the same events together, within two rules: at most `maxStreams`
/// streams, and no selection below `minShare` of its stream's events, so that nobody reads a
/// stream for a sliver of it. Random-trigger selections keep a stream of their own.
///
/// ```swift
/// let grouping = StreamGrouping.automatic(members, limits: round.limits)
/// let figures = try grouping.evaluate(members, limits: round.limits)
/// figures.duplicationFactor   // 1.07: events written per distinct event kept
/// figures.warnings            // ["d0_kpi is 4.0 % of stream charm's events (rule: at least 10.0 %)"]
/// ```
public struct StreamGrouping: Codable, Sendable, Equatable {
    public struct Stream: Codable, Sendable, Equatable {
        public var name: String
        public var selections: [String]

        public init(name: String, selections: [String]) {
            self.name = name
            self.selections = selections
        }
    }

    /// A selection as the grouping sees it: the events it kept on the sample.
    public struct Member: Sendable {
        public var name: String
        public var group: String
        public var random: Bool
        public var events: EventSet

        public init(name: String, group: String, random: Bool = false, events: EventSet) {
            self.name = name
            self.group = group
            self.random = random
            self.events = events
        }
    }

    public var streams: [Stream]

    public init(streams: [Stream]) {
        self.streams = streams
    }

    /// The stream holding a selection.
    public func stream(of selection: String) -> String? { streams.first { $0.selections.contains(selection) }?.name }
}

extension StreamGrouping {
    /// What a grouping writes, measured on the sample.
    public struct Figures: Codable, Sendable, Equatable {
        public struct StreamFigures: Codable, Sendable, Equatable {
            public var name: String
            public var selections: [String]
            /// Distinct sample events the stream writes.
            public var events: Int
            /// Each selection's events as a share of the stream's.
            public var shares: [String: Double]
        }

        public var streams: [StreamFigures]
        /// Sample events kept by any selection.
        public var distinctEvents: Int
        /// Sample events written over all streams (with the duplicates).
        public var writtenEvents: Int
        public var sampleEvents: Int
        /// Events written per distinct event kept: 1 when no event is written twice.
        public var duplicationFactor: Double { distinctEvents > 0 ? Double(writtenEvents) / Double(distinctEvents) : 1 }
        /// Breaches of the rules that a person may accept with a reason.
        public var warnings: [String]
    }

    /// Checks the grouping against the tested selections and measures it. Throws for what cannot
    /// run (a selection twice or missing, an unknown one, random events mixed with physics);
    /// returns the breaches of the share and stream-count rules as warnings.
    public func evaluate(_ members: [Member], limits: RoundLimits) throws(ConveyorError) -> Figures {
        let byName = Dictionary(members.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var placed: [String: String] = [:]
        var seenStreams = Set<String>()
        for stream in streams {
            try Selection.validateName(stream.name, "stream")
            guard seenStreams.insert(stream.name).inserted else { throw .invalidInput("stream \(stream.name) is named twice") }
            guard !stream.selections.isEmpty else { throw .invalidInput("stream \(stream.name) has no selection") }
            for name in stream.selections {
                guard let member = byName[name] else {
                    throw .invalidInput("stream \(stream.name): \(name) is not a tested, subscribed selection of the round")
                }
                if let other = placed[name] { throw .invalidInput("\(name) is in streams \(other) and \(stream.name): a selection is written to one stream") }
                placed[name] = stream.name
                if member.random != byName[stream.selections[0]]?.random {
                    throw .invalidInput("stream \(stream.name) mixes random-trigger and physics selections: random events keep a stream of their own")
                }
            }
        }
        if let missing = members.map(\.name).filter({ placed[$0] == nil }).sorted().first {
            throw .invalidInput("\(missing) is in no stream: every subscribed selection that passed its tests is written to one")
        }
        var warnings: [String] = []
        if streams.count > limits.maxStreams { warnings.append("\(streams.count) streams, more than the round's \(limits.maxStreams)") }
        var figures: [Figures.StreamFigures] = []
        var all = EventSet(size: members.first?.events.size ?? 0)
        var written = 0
        for stream in streams {
            var union = EventSet(size: all.size)
            for name in stream.selections { union.formUnion(byName[name]!.events) }
            let events = union.count
            var shares: [String: Double] = [:]
            for name in stream.selections {
                let kept = byName[name]!.events.count
                shares[name] = events > 0 ? Double(kept) / Double(events) : 0
                if kept > 0, Double(kept) < limits.minShare * Double(events) {
                    warnings.append(
                        "\(name) is \(RoundLimits.percent(shares[name]!)) of stream \(stream.name)'s events (rule: at least \(RoundLimits.percent(limits.minShare)))"
                    )
                }
            }
            all.formUnion(union)
            written += events
            figures.append(.init(name: stream.name, selections: stream.selections, events: events, shares: shares))
        }
        return Figures(streams: figures, distinctEvents: all.count, writtenEvents: written, sampleEvents: all.size, warnings: warnings)
    }

    /// The grouping that writes fewest events within the rules, found greedily: every physics
    /// selection starts as its own stream, and the two streams sharing most events are merged
    /// while a merge saves events, or while there are more than `maxStreams`, as long as no
    /// selection falls below `minShare` of its stream. Costs O(n² · words) for the overlaps and
    /// O(n) unions per merge. Selections that kept no sample event join their group's largest stream.
    public static func automatic(_ members: [Member], limits: RoundLimits) -> StreamGrouping {
        let random = members.filter(\.random)
        let physics = members.filter { !$0.random && $0.events.count > 0 }
        let empty = members.filter { !$0.random && $0.events.count == 0 }
        let n = physics.count
        var unions = physics.map(\.events)
        var counts = unions.map(\.count)
        var smallest = counts
        var groups: [[Int]] = (0..<n).map { [$0] }
        var alive = [Bool](repeating: true, count: n)
        var both = [Int](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in (i + 1)..<max(n, i + 1) {
                let c = unions[i].intersectionCount(with: unions[j])
                both[i * n + j] = c
                both[j * n + i] = c
            }
        }
        let target = max(1, limits.maxStreams - (random.isEmpty ? 0 : 1))
        // Each stream's physics groups: between merges that save as much, one within a group wins.
        var streamGroups: [Set<String>] = physics.map { [$0.group] }
        var left = n
        while left > 1 {
            var best: (i: Int, j: Int, saving: Int, sameGroup: Bool, union: Int)?
            for i in 0..<n where alive[i] {
                let row = i * n
                for j in (i + 1)..<n where alive[j] {
                    let saving = both[row + j]
                    if let b = best, saving < b.saving { continue }
                    let union = counts[i] + counts[j] - saving
                    guard Double(min(smallest[i], smallest[j])) >= limits.minShare * Double(union) else { continue }
                    let sameGroup = !streamGroups[i].isDisjoint(with: streamGroups[j])
                    if let b = best, saving == b.saving, (b.sameGroup && !sameGroup) || (b.sameGroup == sameGroup && union >= b.union) { continue }
                    best = (i, j, saving, sameGroup, union)
                }
            }
            guard let merge = best, merge.saving > 0 || left > target else { break }
            let (i, j) = (merge.i, merge.j)
            unions[i].formUnion(unions[j])
            counts[i] = merge.union
            smallest[i] = min(smallest[i], smallest[j])
            groups[i] += groups[j]
            streamGroups[i].formUnion(streamGroups[j])
            alive[j] = false
            left -= 1
            for k in 0..<n where alive[k] && k != i {
                let c = unions[i].intersectionCount(with: unions[k])
                both[i * n + k] = c
                both[k * n + i] = c
            }
        }
        var made: [(events: Int, members: [Member])] = (0..<n).filter { alive[$0] }.map { i in (counts[i], groups[i].map { physics[$0] }) }
        made.sort { $0.events > $1.events }
        for selection in empty {
            let home = made.firstIndex { $0.members.contains { $0.group == selection.group } } ?? (made.isEmpty ? nil : 0)
            if let home { made[home].members.append(selection) } else { made.append((0, [selection])) }
        }
        var used: [String: Int] = [:]
        var streams: [Stream] = []
        for stream in made {
            let lead = stream.members.max { ($0.events.count, $1.name) < ($1.events.count, $0.name) }!
            let base = lead.group.lowercased().filter { $0.isLetter || $0.isNumber || $0 == "_" }
            let root = base.first?.isLetter == true ? String(base.prefix(60)) : "stream"
            used[root, default: 0] += 1
            let name = used[root]! == 1 ? root : "\(root)\(used[root]!)"
            streams.append(Stream(name: name, selections: stream.members.map(\.name).sorted()))
        }
        if !random.isEmpty { streams.append(Stream(name: used["random"] == nil ? "random" : "random_events", selections: random.map(\.name).sorted())) }
        return StreamGrouping(streams: streams)
    }
}
