import ConveyorCore
import Foundation

extension StoreSession {
    /// A value as the JSON text a column holds, keys sorted so that equal values are equal text.
    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// A column's JSON text as a value; text that is not one is a store failure naming the column.
    static func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String, what: String) throws -> T {
        do { return try JSONDecoder().decode(T.self, from: Data(text.utf8)) } catch {
            throw ConveyorError.storeFailure("\(what) holds text that is not a \(T.self)")
        }
    }
}
