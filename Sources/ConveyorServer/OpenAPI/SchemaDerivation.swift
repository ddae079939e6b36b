import ConveyorCore
import Foundation

/// Derives the JSON Schema of what a Swift type encodes by encoding an example of it through an
/// encoder that records shapes instead of bytes: the keys and their types, which keys are always
/// there (`encode`) and which only when set (`encodeIfPresent`), list items, maps, names of a
/// closed set, timestamps. The handlers encode the same type with `JSONEncoder`, so the published
/// schema cannot drift from the answers: one declaration, the type itself.
///
/// ```swift
/// let schema = try SchemaDerivation.schema(of: Pool.schemaExample)   // {type: object, properties: {name, executor, slots, options}, …}
/// ```
///
/// Every optional field of an example must be set and every list non-empty, else that part's
/// type is unknown and derivation fails (a unit test derives every documented type).
enum SchemaDerivation {
    struct Unknown: Error, CustomStringConvertible {
        let path: String
        var description: String { "the example leaves \(path.isEmpty ? "its value" : path) without a value (nil or an empty list): give it one" }
    }

    /// The schema of `examples`, taken together: a key is required when every example that is an
    /// object has it (several examples cover the cases of an enum with associated values).
    static func schema<T: Encodable>(of examples: [T]) throws -> JSONSchema {
        let root = ShapeNode()
        for example in examples { try root.take(example, path: "") }
        return try root.schema(path: "")
    }

    static func schema<T: Encodable>(of example: T) throws -> JSONSchema { try schema(of: [example]) }
}

/// What one value looked like while encoding.
final class ShapeNode {
    enum Shape {
        case unknown
        case string(format: String?, names: [String]?)
        case integer, number, boolean
        case object([(key: String, node: ShapeNode, required: Bool, seen: Int)])
        case array(ShapeNode)
        case map(ShapeNode)
    }

    var shape: Shape = .unknown
    var nullable = false
    /// How many values were encoded here as objects: a key seen fewer times is optional.
    var objectTakes = 0

    func take<T: Encodable>(_ value: T, path: String) throws {
        switch value {
        case is Timestamp: shape = .string(format: "date-time", names: nil)
        case let named as any NamedValueSet: shape = .string(format: nil, names: Self.names(of: named))
        case let map as any StringKeyedMap:
            let item = ShapeNode()
            for element in map.shapeValues { try item.take(element, path: path + ".*") }
            shape = .map(item)
        default: try value.encode(to: ShapeEncoder(node: self, path: path))
        }
    }

    static func names<N: NamedValueSet>(of value: N) -> [String] { N.allCases.map(\.rawValue) }

    func property(_ key: String, required: Bool) -> ShapeNode {
        var properties: [(key: String, node: ShapeNode, required: Bool, seen: Int)] = []
        if case .object(let existing) = shape { properties = existing }
        if let index = properties.firstIndex(where: { $0.key == key }) {
            properties[index].required = properties[index].required && required
            properties[index].seen += 1
            shape = .object(properties)
            return properties[index].node
        }
        let node = ShapeNode()
        properties.append((key, node, required, 1))
        shape = .object(properties)
        return node
    }

    func schema(path: String) throws -> JSONSchema {
        let base: JSONSchema
        switch shape {
        case .unknown: throw SchemaDerivation.Unknown(path: path)
        case .string(let format, let names): base = .string(format: format, enumeration: names)
        case .integer: base = .integer
        case .number: base = .number
        case .boolean: base = .boolean
        case .array(let item): base = .array(try item.schema(path: path + "[]"))
        case .map(let item): base = .map(try item.schema(path: path + ".*"))
        case .object(let properties):
            var schemas: [String: JSONSchema] = [:]
            for property in properties { schemas[property.key] = try property.node.schema(path: path.isEmpty ? property.key : "\(path).\(property.key)") }
            base = .closedObject(properties: schemas, required: properties.filter { $0.required && $0.seen >= objectTakes }.map(\.key))
        }
        return nullable ? .nullable(base) : base
    }
}

/// A map with text keys, encoded by `JSONEncoder` as an object with those keys.
protocol StringKeyedMap {
    var shapeValues: [any Encodable] { get }
}

extension Dictionary: StringKeyedMap where Key == String, Value: Encodable {
    var shapeValues: [any Encodable] { Array(values) }
}

struct ShapeEncoder: Encoder {
    let node: ShapeNode
    let path: String
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]

    init(node: ShapeNode, path: String) {
        self.node = node
        self.path = path
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .unknown = node.shape { node.shape = .object([]) }
        node.objectTakes += 1
        return KeyedEncodingContainer(KeyedShapeContainer<Key>(node: node, path: path))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let item: ShapeNode
        if case .array(let existing) = node.shape { item = existing } else { item = ShapeNode(); node.shape = .array(item) }
        return UnkeyedShapeContainer(item: item, path: path + "[]")
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleShapeContainer(node: node, path: path) }
}

struct KeyedShapeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: ShapeNode
    let path: String
    var codingPath: [any CodingKey] = []

    func child(_ key: Key) -> String { path.isEmpty ? key.stringValue : "\(path).\(key.stringValue)" }

    mutating func encodeNil(forKey key: Key) throws { node.property(key.stringValue, required: true).nullable = true }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try node.property(key.stringValue, required: true).take(value, path: child(key))
    }

    // A key encoded only when set is not required; its type comes from the example's value.
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        let property = node.property(key.stringValue, required: false)
        if let value { try property.take(value, path: child(key)) }
    }

    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { try encodeIfPresent(value as String?, key) }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try encodeIfPresent(value as Bool?, key) }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try encodeIfPresent(value as Int?, key) }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try encodeIfPresent(value as Int64?, key) }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { try encodeIfPresent(value as Double?, key) }

    private mutating func encodeIfPresent<T: Encodable>(_ value: T?, _ key: Key) throws {
        let property = node.property(key.stringValue, required: false)
        if let value { try property.take(value, path: child(key)) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        ShapeEncoder(node: node.property(key.stringValue, required: true), path: child(key)).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        ShapeEncoder(node: node.property(key.stringValue, required: true), path: child(key)).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { ShapeEncoder(node: node, path: path) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { ShapeEncoder(node: node.property(key.stringValue, required: true), path: child(key)) }
}

struct UnkeyedShapeContainer: UnkeyedEncodingContainer {
    let item: ShapeNode
    let path: String
    var codingPath: [any CodingKey] = []
    var count = 0

    mutating func encodeNil() throws { item.nullable = true }

    mutating func encode<T: Encodable>(_ value: T) throws {
        count += 1
        try item.take(value, path: path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        ShapeEncoder(node: item, path: path).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { ShapeEncoder(node: item, path: path).unkeyedContainer() }
    mutating func superEncoder() -> any Encoder { ShapeEncoder(node: item, path: path) }
}

struct SingleShapeContainer: SingleValueEncodingContainer {
    let node: ShapeNode
    let path: String
    var codingPath: [any CodingKey] = []

    mutating func encodeNil() throws { node.nullable = true }
    mutating func encode(_ value: Bool) throws { node.shape = .boolean }
    mutating func encode(_ value: String) throws { if case .unknown = node.shape { node.shape = .string(format: nil, names: nil) } }
    mutating func encode(_ value: Double) throws { node.shape = .number }
    mutating func encode(_ value: Float) throws { node.shape = .number }
    mutating func encode(_ value: Int) throws { node.shape = .integer }
    mutating func encode(_ value: Int8) throws { node.shape = .integer }
    mutating func encode(_ value: Int16) throws { node.shape = .integer }
    mutating func encode(_ value: Int32) throws { node.shape = .integer }
    mutating func encode(_ value: Int64) throws { node.shape = .integer }
    mutating func encode(_ value: UInt) throws { node.shape = .integer }
    mutating func encode(_ value: UInt8) throws { node.shape = .integer }
    mutating func encode(_ value: UInt16) throws { node.shape = .integer }
    mutating func encode(_ value: UInt32) throws { node.shape = .integer }
    mutating func encode(_ value: UInt64) throws { node.shape = .integer }
    mutating func encode<T: Encodable>(_ value: T) throws { try node.take(value, path: path) }
}
