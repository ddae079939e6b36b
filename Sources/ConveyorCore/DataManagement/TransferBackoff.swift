/// When a failed copy is tried again, and when its rule is given up on.
///
/// The n-th failure waits `base · 2^(n-1)` (at most `ceiling`); after `limit` failures the
/// copy stops and its rule is SUSPENDED. With the defaults a copy that keeps failing is
/// suspended within about 2 hours (1 + 2 + 4 + … minutes, capped at 1 h), so every rule reaches
/// OK, SUSPENDED or its expiry in bounded time.
public struct TransferBackoff: Sendable, Hashable, Codable {
    public var baseSeconds: Int64
    public var ceilingSeconds: Int64
    public var limit: Int

    public init(baseSeconds: Int64 = 60, ceilingSeconds: Int64 = 3600, limit: Int = 8) {
        self.baseSeconds = baseSeconds
        self.ceilingSeconds = ceilingSeconds
        self.limit = limit
    }

    /// After the `failures`-th failure: the delay before the next try, or nil to suspend.
    public func delay(afterFailures failures: Int) -> Int64? {
        guard failures < limit else { return nil }
        let exponent = min(max(failures - 1, 0), 30)
        return min(baseSeconds << Int64(exponent), ceilingSeconds)
    }

    /// The longest a copy can keep failing before its rule is suspended.
    public var boundSeconds: Int64 {
        (1..<max(limit, 1)).reduce(Int64(0)) { $0 + (delay(afterFailures: $1) ?? 0) }
    }
}
