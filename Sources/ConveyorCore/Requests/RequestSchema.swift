import Foundation

/// The shape of a request file, declared once: ``ProcessingRequest`` checks files against it
/// (unknown keys, missing keys, wrong types, each with its key path) and `conveyor request schema`
/// publishes it as a JSON Schema (draft 2020-12) for editors and other tools.
public enum RequestSchema {
    public indirect enum Kind: Sendable {
        case text
        case number(minimum: Double?)
        case wholeNumber(minimum: Int?)
        case choice([String])
        case bool
        /// A duration as text (`48h`, `30m`, `90s`, `2d`, `0`) or a number of seconds.
        case duration
        /// One text, or a list of texts.
        case textOrList
        case list(Kind)
        case object([Field])
    }

    public struct Field: Sendable {
        public let key: String
        public let kind: Kind
        public let required: Bool
        public let description: String

        public init(_ key: String, _ kind: Kind, required: Bool = false, _ description: String) {
            self.key = key
            self.kind = kind
            self.required = required
            self.description = description
        }
    }

    /// Checks keys (unknown, missing) and kinds, depth first, before any value is interpreted.
    public static func check(_ value: ConfigurationValue, against fields: [Field]) throws(ConveyorError) {
        try value.onlyKeys(Set(fields.map(\.key)))
        for field in fields {
            let child = value[field.key]
            if child.isMissing {
                if field.required { throw child.error("is required (\(field.description))") }
                continue
            }
            try check(child, kind: field.kind)
        }
    }

    static func check(_ value: ConfigurationValue, kind: Kind) throws(ConveyorError) {
        switch kind {
        case .text: _ = try value.string()
        case .number(let minimum): _ = try value.double(minimum: minimum)
        case .wholeNumber(let minimum): _ = try value.int(minimum: minimum)
        case .choice(let names):
            let text = try value.string()
            let matches = names.contains { name in
                name == "procN" ? text.lowercased().hasPrefix("proc") && Int(text.dropFirst(4)) != nil : name.caseInsensitiveCompare(text) == .orderedSame
            }
            guard matches else { throw value.error("expected one of \(names.joined(separator: ", ")), found '\(text)'") }
        case .textOrList: _ = try value.strings()
        case .bool: _ = try value.bool(default: false)
        case .duration:
            if case .number = value.node { _ = try value.double(minimum: 0) } else { _ = try value.string() }
        case .list(let element):
            for item in try value.list() { try check(item, kind: element) }
        case .object(let fields):
            try check(value, against: fields)
        }
    }

    /// The JSON Schema document of a request file.
    public static func document(for fields: [Field], title: String) -> String {
        var root: [String: Any] = ["$schema": "https://json-schema.org/draft/2020-12/schema", "title": title]
        root.merge(object(fields)) { a, _ in a }
        // Built of strings, lists and maps only, so serialising cannot fail; an empty schema rather than a trap if it ever did.
        guard let data = try? JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) else {
            return "{}\n"
        }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func object(_ fields: [Field]) -> [String: Any] {
        var properties: [String: Any] = [:]
        for field in fields {
            var schema = json(field.kind)
            schema["description"] = field.description
            properties[field.key] = schema
        }
        return ["type": "object", "additionalProperties": false, "properties": properties, "required": fields.filter(\.required).map(\.key)]
    }

    static func json(_ kind: Kind) -> [String: Any] {
        switch kind {
        case .text: return ["type": "string", "minLength": 1]
        case .number(let minimum): return minimum.map { ["type": "number", "minimum": $0] } ?? ["type": "number"]
        case .wholeNumber(let minimum): return minimum.map { ["type": "integer", "minimum": $0] } ?? ["type": "integer"]
        case .choice(let names):
            let fixed = names.filter { $0 != "procN" }
            return names.contains("procN") ? ["type": "string", "anyOf": [["enum": fixed], ["pattern": "^proc[0-9]+$"]]] : ["type": "string", "enum": fixed]
        case .textOrList: return ["oneOf": [["type": "string"], ["type": "array", "items": ["type": "string"]]]]
        case .bool: return ["type": "boolean"]
        case .duration: return ["oneOf": [["type": "string", "pattern": "^\\s*([0-9]+[smhdw]?|0)\\s*$"], ["type": "number", "minimum": 0]]]
        case .list(let element): return ["type": "array", "items": json(element)]
        case .object(let fields): return object(fields)
        }
    }
}
