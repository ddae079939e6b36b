import Foundation

/// A JSON document in a job's folder (``JobDescription``, ``JobReport``): read with a one-line
/// reason when it is missing, truncated or of another format, written sorted so that two writes
/// of the same value are the same bytes.
public protocol JobFolderDocument: Codable, Sendable {
    static var fileName: String { get }
    var format: Int { get }
}

extension JobFolderDocument {
    public static func decode(from data: Data) throws(ConveyorError) -> Self {
        let value: Self
        do { value = try JSONDecoder().decode(Self.self, from: data) } catch {
            let what = data.isEmpty ? "is empty" : "is not a valid \(fileName) (\(Self.describe(error)))"
            throw .invalidInput("\(fileName) \(what)")
        }
        guard value.format <= JobDescription.currentFormat else {
            throw .invalidInput("\(fileName) is of format \(value.format); this runner reads up to \(JobDescription.currentFormat)")
        }
        return value
    }

    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        // Every member is a plain value: encoding cannot fail.
        return (try? encoder.encode(self)) ?? Data()
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "no '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "wrong value at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        case DecodingError.dataCorrupted(let context):
            context.codingPath.isEmpty ? "not JSON, or cut short" : "bad value at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        default: "unreadable"
        }
    }
}

extension JobDescription: JobFolderDocument {}
extension JobReport: JobFolderDocument {}
