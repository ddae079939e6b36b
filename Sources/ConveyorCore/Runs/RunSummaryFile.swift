import CSV
import Foundation

/// A run summary as a run database exports it, CSV or JSON, with the same fields:
/// `exp, run, type, energy, magnet, start, stop, events, online_lumi, offline_lumi, state`
/// (CSV with that header; JSON as an array of objects with those keys). Only `exp` and `run`
/// are required; luminosity is in /pb, times ISO 8601, magnet `on|off|true|false|1|0`.
///
/// A malformed row is refused with its line (CSV) or index (JSON), and nothing is returned,
/// so an import is all or nothing.
public enum RunSummaryFile {
    public static let columns = ["exp", "run", "type", "energy", "magnet", "start", "stop", "events", "online_lumi", "offline_lumi", "state"]

    public static func parse(_ data: Data, name: String) throws(ConveyorError) -> [RunRecord] {
        let text = String(decoding: data, as: UTF8.self)
        if text.drop(while: { $0.isWhitespace }).first == "[" {
            return try parseJSON(data, name: name)
        }
        return try parseCSV(text, name: name)
    }

    /// RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF), read by CSV.swift: the header
    /// names each column once; every row has as many fields as the header.
    static func parseCSV(_ text: String, name: String) throws(ConveyorError) -> [RunRecord] {
        let reader: CSVReader
        do {
            reader = try CSVReader(string: text, hasHeaderRow: false, trimFields: true)
        } catch {
            throw .invalidInput("\(name) is not readable CSV")
        }
        guard let header = reader.next(), header.contains(where: { !$0.isEmpty }) else { throw .invalidInput("\(name) is empty") }
        let fields = header.map { $0.lowercased() }
        var seen = Set<String>()
        for field in fields {
            guard columns.contains(field) else {
                throw .invalidInput("\(name) row 1: unknown column '\(field)' (expected some of: \(columns.joined(separator: ", ")))")
            }
            guard seen.insert(field).inserted else { throw .invalidInput("\(name) row 1: column '\(field)' appears twice") }
        }
        guard seen.contains("exp"), seen.contains("run") else { throw .invalidInput("\(name) row 1: the header needs exp and run") }
        var records: [RunRecord] = []
        var row = 1
        while let values = reader.next() {
            row += 1
            if values.allSatisfy({ $0.isEmpty }) { continue }
            guard values.count == fields.count else {
                throw .invalidInput("\(name) row \(row): \(values.count) values for \(fields.count) columns")
            }
            var byColumn: [String: String?] = [:]
            for (field, value) in zip(fields, values) { byColumn[field] = value }
            do {
                records.append(try record(byColumn))
            } catch {
                throw .invalidInput("\(name) row \(row): \(error.message)")
            }
        }
        if let error = reader.error { throw .invalidInput("\(name) row \(row + 1): unreadable CSV (\(error))") }
        return try unique(records, name: name)
    }

    static func parseJSON(_ data: Data, name: String) throws(ConveyorError) -> [RunRecord] {
        let objects: [[String: Scalar]]
        do {
            objects = try JSONDecoder().decode([[String: Scalar]].self, from: data)
        } catch {
            throw .invalidInput("\(name) is not a JSON array of run objects with plain values")
        }
        var records: [RunRecord] = []
        for (index, object) in objects.enumerated() {
            for key in object.keys where !columns.contains(key) {
                throw .invalidInput("\(name) item \(index + 1): unknown field '\(key)'")
            }
            do {
                records.append(try record(object.mapValues(\.text)))
            } catch {
                throw .invalidInput("\(name) item \(index + 1): \(error.message)")
            }
        }
        return try unique(records, name: name)
    }

    /// A JSON value as text, keeping booleans apart from numbers.
    private enum Scalar: Decodable {
        case value(String?)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .value(nil)
            } else if let flag = try? container.decode(Bool.self) {
                self = .value(flag ? "true" : "false")
            } else if let integer = try? container.decode(Int64.self) {
                self = .value(String(integer))
            } else if let number = try? container.decode(Double.self) {
                self = .value(String(number))
            } else {
                self = .value(try container.decode(String.self))
            }
        }

        var text: String? {
            switch self {
            case .value(let text): text
            }
        }
    }

    private static func unique(_ records: [RunRecord], name: String) throws(ConveyorError) -> [RunRecord] {
        var seen = Set<ExpRun>()
        for record in records where !seen.insert(record.run).inserted {
            throw .invalidInput("\(name): run \(record.run) appears twice")
        }
        return records
    }

    private static func record(_ values: [String: String?]) throws(ConveyorError) -> RunRecord {
        func text(_ key: String) -> String? { (values[key] ?? nil).flatMap { $0.isEmpty ? nil : $0 } }
        func integer(_ key: String) throws(ConveyorError) -> Int64? {
            guard let raw = text(key) else { return nil }
            guard let value = Int64(raw) else { throw .invalidInput("\(key) '\(raw)' is not a whole number") }
            return value
        }
        func number(_ key: String) throws(ConveyorError) -> Double? {
            guard let raw = text(key) else { return nil }
            guard let value = Double(raw), value.isFinite else { throw .invalidInput("\(key) '\(raw)' is not a number") }
            return value
        }
        func time(_ key: String) throws(ConveyorError) -> Timestamp? {
            guard let raw = text(key) else { return nil }
            do { return try Timestamp(parsing: raw) } catch { throw .invalidInput("\(key): \(error.message)") }
        }
        guard let exp = try integer("exp"), let run = try integer("run"), exp >= 0, run >= 0 else {
            throw .invalidInput("exp and run are required, whole and not negative")
        }
        var record = RunRecord(run: ExpRun(exp: Int(exp), run: Int(run)))
        if let type = text("type") { record.type = try RunType(parsing: type) }
        if let energy = text("energy") { record.energy = energy }
        if let magnet = text("magnet") { record.magnet = try RunRecord.magnet(parsing: magnet) }
        record.start = try time("start")
        record.stop = try time("stop")
        record.events = try integer("events") ?? 0
        record.onlineLuminosity = try number("online_lumi") ?? 0
        record.offlineLuminosity = try number("offline_lumi")
        if let state = text("state") { record.state = try RunState(parsing: state) }
        try record.validate()
        return record
    }
}
