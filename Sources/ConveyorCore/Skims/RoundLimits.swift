/// What a round allows each selection and all of them together, checked by the automatic tests
/// on the sample before the round runs (seed 003: "if a subscribed selection fails automatic
/// tests for a new round of stripping it is unsubscribed and a notification sent to the coordinator").
///
/// ```swift
/// let limits = RoundLimits(retention: 0.05, totalRetention: 0.2, cpuPerEvent: 0.002, bytesPerEvent: 4)
/// limits.failure(of: result)   // "retention 12.0 % > limit 5.0 %" or nil
/// ```
public struct RoundLimits: Codable, Sendable, Equatable {
    /// The largest share of input events one selection may keep.
    public var retention: Double
    /// The largest share of input events all the round's selections may keep together.
    public var totalRetention: Double
    /// CPU seconds per input event.
    public var cpuPerEvent: Double
    /// Output bytes per input event (a selection's bandwidth).
    public var bytesPerEvent: Double
    /// At most this many streams.
    public var maxStreams: Int
    /// No selection below this share of its stream's events (seed 003's rule against sparse reading).
    public var minShare: Double

    public init(
        retention: Double = 0.1, totalRetention: Double = 0.5, cpuPerEvent: Double = 0.01, bytesPerEvent: Double = 10, maxStreams: Int = 10,
        minShare: Double = 0.1
    ) {
        self.retention = retention
        self.totalRetention = totalRetention
        self.cpuPerEvent = cpuPerEvent
        self.bytesPerEvent = bytesPerEvent
        self.maxStreams = maxStreams
        self.minShare = minShare
    }

    public func validate() throws(ConveyorError) {
        for (name, value) in [("retention", retention), ("total retention", totalRetention), ("minimum share", minShare)] where !(value > 0 && value <= 1) {
            throw .invalidInput("the \(name) limit is a share in (0, 1], not \(value)")
        }
        guard cpuPerEvent > 0, cpuPerEvent.isFinite else { throw .invalidInput("the CPU limit is positive seconds per event, not \(cpuPerEvent)") }
        guard bytesPerEvent > 0, bytesPerEvent.isFinite else { throw .invalidInput("the bandwidth limit is positive bytes per event, not \(bytesPerEvent)") }
        guard (1...1000).contains(maxStreams) else { throw .invalidInput("a round has 1 to 1000 streams, not \(maxStreams)") }
    }

    /// Why a selection's test result breaks the limits, or nil when it passes.
    public func failure(of result: SelectionTestResult) -> String? {
        if let failure = result.failure { return failure }
        var broken: [String] = []
        if result.retention > retention { broken.append("retention \(Self.percent(result.retention)) > limit \(Self.percent(retention))") }
        if result.cpuPerEvent > cpuPerEvent {
            broken.append("CPU \(Self.milliseconds(result.cpuPerEvent)) per event > limit \(Self.milliseconds(cpuPerEvent))")
        }
        if result.bytesPerEvent > bytesPerEvent {
            broken.append("output \(Self.decimal(result.bytesPerEvent)) bytes per input event > limit \(Self.decimal(bytesPerEvent))")
        }
        return broken.isEmpty ? nil : broken.joined(separator: "; ")
    }

    public static func percent(_ share: Double) -> String { decimal(share * 100) + " %" }
    public static func milliseconds(_ seconds: Double) -> String { decimal(seconds * 1000) + " ms" }
    /// Three significant figures without exponent for everyday magnitudes.
    public static func decimal(_ value: Double) -> String {
        guard value.isFinite else { return String(value) }
        guard value != 0 else { return "0" }
        let magnitude = abs(value)
        let places = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : magnitude >= 0.01 ? 3 : 5
        var text = String(Int64((value * pow10(places)).rounded()))
        guard places > 0 else { return text }
        let negative = text.hasPrefix("-")
        if negative { text.removeFirst() }
        while text.count <= places { text = "0" + text }
        text.insert(".", at: text.index(text.endIndex, offsetBy: -places))
        return (negative ? "-" : "") + text
    }

    private static func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { a, _ in a * 10 } }
}
