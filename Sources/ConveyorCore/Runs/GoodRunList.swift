/// A good-run list in the formats analysts and jobs read.
public struct GoodRunList: Sendable, Codable {
    public let exp: Int
    public let runs: [Int]
    public let asOf: Timestamp?
    public let required: [String]

    public init(exp: Int, runs: [Int], asOf: Timestamp?, required: [String]) {
        self.exp = exp
        self.runs = runs.sorted()
        self.asOf = asOf
        self.required = required
    }

    /// The CMS certification format: run → inclusive lumi-block ranges. Conveyor keeps no lumi
    /// blocks yet, so each run is one range over the whole run, written `[1, 2147483647]`
    /// (the largest lumi block a 32-bit counter can name).
    public var golden: [String: [[Int]]] {
        Dictionary(runs.map { (String($0), [[1, Int(Int32.max)]]) }, uniquingKeysWith: { first, _ in first })
    }

    /// One `EXP:RUN` per line.
    public var text: String {
        runs.map { "\(exp):\($0)\n" }.joined()
    }

    /// Consecutive runs folded into ranges, e.g. `[[100, 104], [107, 107]]`.
    public var ranges: [[Int]] {
        var out: [[Int]] = []
        for run in runs {
            if let last = out.last, last[1] + 1 == run { out[out.count - 1][1] = run } else { out.append([run, run]) }
        }
        return out
    }
}
