/// The subset of JSON Schema (as OpenAPI 3.0 uses it) that Conveyor's API documents.
indirect enum JSONSchema: Encodable, Sendable {
    case string(format: String? = nil, enumeration: [String]? = nil)
    case integer
    case number
    case boolean
    case array(JSONSchema)
    case object(properties: [String: JSONSchema], required: [String])
    /// An object with exactly these properties (`additionalProperties: false`): what the schemas
    /// derived from Swift types say, so that a field added to a type and not to its schema fails
    /// the response checks.
    case closedObject(properties: [String: JSONSchema], required: [String])
    /// An object whose keys are free text and whose values all have one schema (a Swift dictionary).
    case map(JSONSchema)
    /// Any one of these (an answer whose shape a parameter chooses).
    case anyOf([JSONSchema])
    case reference(String)
    case nullable(JSONSchema)

    /// A reference to a schema under `components/schemas`.
    static func ref(_ name: String) -> JSONSchema { .reference(name) }

    private enum Key: String, CodingKey {
        case type, format, items, properties, required, nullable, allOf, anyOf, additionalProperties
        case enumeration = "enum"
        case ref = "$ref"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try encode(into: &container, nullable: false)
    }

    private func encode(into container: inout KeyedEncodingContainer<Key>, nullable: Bool) throws {
        if nullable { try container.encode(true, forKey: .nullable) }
        switch self {
        case .string(let format, let enumeration):
            try container.encode("string", forKey: .type)
            try container.encodeIfPresent(format, forKey: .format)
            try container.encodeIfPresent(enumeration, forKey: .enumeration)
        case .integer:
            try container.encode("integer", forKey: .type)
            try container.encode("int64", forKey: .format)
        case .number:
            try container.encode("number", forKey: .type)
        case .boolean:
            try container.encode("boolean", forKey: .type)
        case .array(let items):
            try container.encode("array", forKey: .type)
            try container.encode(items, forKey: .items)
        case .object(let properties, let required):
            try container.encode("object", forKey: .type)
            try container.encode(properties, forKey: .properties)
            if !required.isEmpty { try container.encode(required, forKey: .required) }
        case .closedObject(let properties, let required):
            try container.encode("object", forKey: .type)
            try container.encode(properties, forKey: .properties)
            if !required.isEmpty { try container.encode(required, forKey: .required) }
            try container.encode(false, forKey: .additionalProperties)
        case .map(let values):
            try container.encode("object", forKey: .type)
            try container.encode(values, forKey: .additionalProperties)
        case .anyOf(let choices):
            try container.encode(choices, forKey: .anyOf)
        case .reference(let name):
            if nullable {
                // OpenAPI 3.0 ignores siblings of $ref, so a nullable reference wraps it.
                try container.encode([JSONSchema.reference(name)], forKey: .allOf)
            } else {
                try container.encode("#/components/schemas/\(name)", forKey: .ref)
            }
        case .nullable(let inner):
            try inner.encode(into: &container, nullable: true)
        }
    }
}
