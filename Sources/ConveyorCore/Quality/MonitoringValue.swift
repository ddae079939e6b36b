import Foundation

/// One monitoring variable of one run in one processing (express, prompt, procN), as the quality
/// program wrote it: a histogram or a scalar with its error. Versions keep history: a rerun of the
/// quality program stores version 2 beside version 1, and readers take the newest.
///
/// ```swift
/// let v = MonitoringValue(run: ExpRun(exp: 8, run: 12), processing: "prompt", variable: "ecl/mass_peak", version: 1, value: 3.097, error: 0.002, at: .now, by: "quality")
/// ```
public struct MonitoringValue: Codable, Sendable, Equatable {
    public var run: ExpRun
    public var processing: String
    public var variable: String
    public var version: Int
    public var histogram: MonitoringHistogram?
    public var value: Double?
    public var error: Double?
    public var at: Timestamp
    public var by: String

    public init(
        run: ExpRun, processing: String, variable: String, version: Int, histogram: MonitoringHistogram? = nil, value: Double? = nil, error: Double? = nil,
        at: Timestamp, by: String
    ) {
        self.run = run
        self.processing = processing
        self.variable = variable
        self.version = version
        self.histogram = histogram
        self.value = value
        self.error = error
        self.at = at
        self.by = by
    }

    /// Checks it: a variable name, a version ≥ 1, and exactly one of a histogram or a finite value
    /// (with a finite error ≥ 0 when given).
    public func validate() throws(ConveyorError) {
        guard (1...200).contains(variable.count), variable.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw .invalidInput("a variable is named by 1 to 200 characters without spaces, found '\(variable)'")
        }
        guard (1...40).contains(processing.count), processing.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw .invalidInput("'\(processing)' is not a processing (express, prompt, proc12, …)")
        }
        guard version >= 1 else { throw .invalidInput("\(variable): version must be ≥ 1") }
        switch (histogram, value) {
        case (let h?, nil): try h.validate()
        case (nil, let v?):
            guard v.isFinite else { throw .invalidInput("\(variable) of run \(run): the value \(v) is not finite") }
            if let error, !(error.isFinite && error >= 0) { throw .invalidInput("\(variable) of run \(run): the error \(error) is not a finite number ≥ 0") }
        default: throw .invalidInput("\(variable) of run \(run): give a histogram or a value, one of them")
        }
    }

    /// In a few words for a table: `3.101 ± 0.006`, or `8 bins, 36989 entries`.
    public var shortDescription: String {
        if let value { return String(format: "%.5g", value) + (error.map { String(format: " ± %.2g", $0) } ?? "") }
        guard let histogram else { return "-" }
        return "\(histogram.binCount) bins, \(histogram.entries) entries"
    }
}
