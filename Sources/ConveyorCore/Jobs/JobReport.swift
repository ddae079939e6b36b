/// What a job says about itself when it ends: written by the job runner into its folder as
/// `report.json` (as CMS's framework job report), read by the scheduler's accountant, which
/// registers the outputs and moves the inputs' states in one transaction. A job is judged by its
/// report, never by its exit code alone: no report, a report that does not parse, or outputs
/// missing or with other checksums are failures.
///
/// ```swift
/// let report = try JobReport.decode(from: data)
/// if report.succeeded { for output in report.outputs { print(output.lfn, output.adler32) } }
/// ```
public struct JobReport: Codable, Sendable, Equatable {
    public static let fileName = "report.json"

    /// An output as the job found it after its program ended.
    public struct Output: Codable, Sendable, Equatable {
        public var lfn: String
        public var location: String
        public var size: Int64
        public var adler32: String
        public var sha256: String

        public init(lfn: String, location: String, size: Int64, adler32: String, sha256: String) {
            self.lfn = lfn
            self.location = location
            self.size = size
            self.adler32 = adler32
            self.sha256 = sha256
        }
    }

    public var format: Int
    /// The description's `job`, so a report in the wrong folder is noticed.
    public var job: String
    /// The program's exit status (128 + N for signal N); nil when it could not be started.
    public var exitStatus: Int?
    /// Why the job failed, in a line, or nil when it succeeded.
    public var failure: String?
    /// Events written, as the program reported them (`events=N`).
    public var events: Int64?
    public var outputs: [Output]
    public var cpuSeconds: Double
    public var wallSeconds: Double
    public var peakMemoryKilobytes: Int?
    /// The program's `key=value` report, in order.
    public var values: [KeyValue]
    /// The moment the job's conditions were resolved at (its description's), for its outputs.
    public var conditionsResolvedAt: Timestamp?
    /// What the quality program wrote to `$CONVEYOR_MONITORING`, carried home for the accountant to store.
    public var monitoring: MonitoringFile?
    public var host: String
    public var startedAt: Timestamp
    public var endedAt: Timestamp

    public struct KeyValue: Codable, Sendable, Equatable {
        public var key: String
        public var value: String

        public init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    public init(
        job: String, exitStatus: Int?, failure: String?, events: Int64?, outputs: [Output], cpuSeconds: Double, wallSeconds: Double,
        peakMemoryKilobytes: Int?, values: [KeyValue], host: String, startedAt: Timestamp, endedAt: Timestamp,
        conditionsResolvedAt: Timestamp? = nil, monitoring: MonitoringFile? = nil
    ) {
        self.format = JobDescription.currentFormat
        self.job = job
        self.exitStatus = exitStatus
        self.failure = failure
        self.events = events
        self.outputs = outputs
        self.cpuSeconds = cpuSeconds
        self.wallSeconds = wallSeconds
        self.peakMemoryKilobytes = peakMemoryKilobytes
        self.values = values
        self.host = host
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.conditionsResolvedAt = conditionsResolvedAt
        self.monitoring = monitoring
    }

    public var succeeded: Bool { failure == nil && exitStatus == 0 }

    /// The last value the program reported for `key`.
    public func value(_ key: String) -> String? { values.last { $0.key == key }?.value }
}
