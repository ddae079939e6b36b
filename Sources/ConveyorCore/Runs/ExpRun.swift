/// A run, named by experiment and run number: written `8:1234` on command lines and
/// `e0008 r01234` in paths.
///
/// Ordered by experiment, then run, which is the order data was taken in.
///
/// ```swift
/// let run = try ExpRun(parsing: "8:1234")
/// run.pathComponents   // ("e0008", "r01234")
/// ```
public struct ExpRun: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var exp: Int
    public var run: Int

    public init(exp: Int, run: Int) {
        self.exp = exp
        self.run = run
    }

    public static func < (lhs: ExpRun, rhs: ExpRun) -> Bool {
        (lhs.exp, lhs.run) < (rhs.exp, rhs.run)
    }

    public var description: String { "\(exp):\(run)" }

    /// The run after this one in the same experiment.
    public var next: ExpRun { ExpRun(exp: exp, run: run + 1) }

    public var pathComponents: (exp: String, run: String) {
        ("e" + String(exp).leftPadded(4), "r" + String(run).leftPadded(5))
    }

    /// Parses `EXP:RUN` (also `e8:r1234`), both non-negative.
    public init(parsing text: String) throws(ConveyorError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2,
            let exp = Int(parts[0].trimmingPrefix("e")), let run = Int(parts[1].trimmingPrefix("r")),
            exp >= 0, run >= 0
        else {
            throw .invalidInput("'\(text)' is not a run (expected EXP:RUN, e.g. 8:1234)")
        }
        self.init(exp: exp, run: run)
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
