import Foundation

/// What the experiment's quality program writes for one run of one processing: its histograms
/// and its scalar monitoring variables, in one JSON file. Conveyor reads it from `conveyor qm
/// import`, from `POST /api/v1/qm/values`, and from a job's `$CONVEYOR_MONITORING` (the job
/// carries it home in its report).
///
/// The documented form (`processing` may be left to the importer, e.g. the request's campaign):
///
/// ```json
/// {"run": {"exp": 8, "run": 12}, "processing": "express",
///  "histograms": [{"name": "cdc/hit_map", "x": {"bins": 8, "low": 0.5, "high": 8.5}, "contents": [...], "entries": 9000}],
///  "scalars": [{"name": "ecl/mass_peak", "value": 3.101, "error": 0.002}]}
/// ```
///
/// ```swift
/// let file = try MonitoringFile(json: data, file: "r00012.qm.json")
/// let values = try file.values(processing: nil, version: 1, at: .now, by: "quality")
/// ```
public struct MonitoringFile: Codable, Sendable, Equatable {
    public struct Scalar: Codable, Sendable, Equatable {
        public var name: String
        public var value: Double
        public var error: Double?

        public init(name: String, value: Double, error: Double? = nil) {
            self.name = name
            self.value = value
            self.error = error
        }
    }

    public var run: ExpRun
    public var processing: String?
    public var histograms: [MonitoringHistogram]
    public var scalars: [Scalar]

    /// The most variables one file may carry.
    public static let largest = 2_000

    public init(run: ExpRun, processing: String?, histograms: [MonitoringHistogram] = [], scalars: [Scalar] = []) {
        self.run = run
        self.processing = processing
        self.histograms = histograms
        self.scalars = scalars
    }

    enum CodingKeys: String, CodingKey { case run, processing, histograms, scalars }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        run = try container.decode(ExpRun.self, forKey: .run)
        processing = try container.decodeIfPresent(String.self, forKey: .processing)
        histograms = try container.decodeIfPresent([MonitoringHistogram].self, forKey: .histograms) ?? []
        scalars = try container.decodeIfPresent([Scalar].self, forKey: .scalars) ?? []
    }

    /// Reads the documented JSON form; a file in another form is refused with one line.
    public init(json data: Data, file: String) throws(ConveyorError) {
        do {
            self = try JSONDecoder().decode(MonitoringFile.self, from: data)
        } catch let error as DecodingError {
            throw .invalidInput("\(file): not a monitoring file (run {exp, run}, processing, histograms, scalars): \(Self.describe(error))")
        } catch {
            throw .invalidInput("\(file): not a monitoring file")
        }
    }

    /// Its variables as values to store, every one checked first: one bad variable refuses the
    /// whole file, so nothing of it is stored half. `processing` overrides the file's.
    public func values(processing override: String?, version: Int, at time: Timestamp, by actor: String) throws(ConveyorError) -> [MonitoringValue] {
        guard let processing = override ?? processing else {
            throw .invalidInput("run \(run): the file names no processing; give one (express, prompt, proc12, …)")
        }
        guard run.exp >= 0, run.run >= 0 else { throw .invalidInput("\(run) is not a run") }
        guard histograms.count + scalars.count <= Self.largest else { throw .invalidInput("run \(run): more than \(Self.largest) variables in one file") }
        guard histograms.count + scalars.count > 0 else { throw .invalidInput("run \(run): the file holds no histogram and no scalar") }
        var values: [MonitoringValue] = []
        var seen = Set<String>()
        for histogram in histograms {
            values.append(
                MonitoringValue(run: run, processing: processing, variable: histogram.name, version: version, histogram: histogram, at: time, by: actor))
        }
        for scalar in scalars {
            values.append(
                MonitoringValue(
                    run: run, processing: processing, variable: scalar.name, version: version, value: scalar.value, error: scalar.error, at: time, by: actor))
        }
        for value in values {
            try value.validate()
            guard seen.insert(value.variable).inserted else { throw .invalidInput("run \(run): variable \(value.variable) is given twice") }
        }
        return values
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context): "\((context.codingPath + [key]).map(\.stringValue).joined(separator: ".")) is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            "\(context.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type"
        case .dataCorrupted(let context):
            context.codingPath.isEmpty ? "not JSON" : "\(context.codingPath.map(\.stringValue).joined(separator: ".")) is malformed"
        @unknown default: "malformed"
        }
    }
}
