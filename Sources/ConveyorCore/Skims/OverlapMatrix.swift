/// How much the selections of a round select the same events on its sample (seed 003's
/// correlation matrix): entry (i, j) is the number of events both keep.
///
/// ```swift
/// let matrix = OverlapMatrix(members)
/// matrix.share(of: 0, alsoIn: 3)   // the share of selection 0's events that selection 3 also keeps
/// ```
public struct OverlapMatrix: Codable, Sendable, Equatable {
    public let names: [String]
    /// Events each selection keeps.
    public let counts: [Int]
    /// Row-major, `names.count` × `names.count`, symmetric; the diagonal holds `counts`.
    public let both: [Int]

    public init(_ members: [StreamGrouping.Member]) {
        let n = members.count
        names = members.map(\.name)
        counts = members.map(\.events.count)
        var both = [Int](repeating: 0, count: n * n)
        for i in 0..<n {
            both[i * n + i] = counts[i]
            guard counts[i] > 0 else { continue }
            for j in (i + 1)..<max(n, i + 1) where counts[j] > 0 {
                let c = members[i].events.intersectionCount(with: members[j].events)
                both[i * n + j] = c
                both[j * n + i] = c
            }
        }
        self.both = both
    }

    public func overlap(_ i: Int, _ j: Int) -> Int { both[i * names.count + j] }

    /// The share of selection i's events that selection j also keeps (0 when i keeps none).
    public func share(of i: Int, alsoIn j: Int) -> Double { counts[i] > 0 ? Double(overlap(i, j)) / Double(counts[i]) : 0 }
}
