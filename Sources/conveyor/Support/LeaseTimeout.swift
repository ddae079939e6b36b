import ConveyorCore

/// `--lease-timeout SECONDS`, as `serve` and `scheduler` take it.
enum LeaseTimeout {
    static func duration(_ seconds: Double) throws(ConveyorError) -> Duration {
        guard seconds.isFinite, seconds >= 1, seconds <= 3_600 else {
            throw .invalidInput("--lease-timeout takes seconds from 1 to 3600, not \(seconds)")
        }
        return .milliseconds(Int64(seconds * 1_000))
    }
}
