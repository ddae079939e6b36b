import Foundation

/// A configuration file read into a tree (from YAML or JSON), whose accessors name the file and
/// the key path in every error, so that a person finds the line to fix:
///
/// ```swift
/// let root = ConfigurationValue(any: yamlObject, file: "dag.yaml")
/// let retries = try root["tasks"][2]["retries"].int(minimum: 0)
/// // dag.yaml: tasks[2].retries: expected a whole number ≥ 0, found -1
/// ```
public struct ConfigurationValue: Sendable {
    public indirect enum Node: Sendable, Decodable {
        case string(String)
        case number(Double)
        case bool(Bool)
        case list([Node])
        case map([(String, Node)])
        case null
        case missing

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .null
            } else if let b = try? container.decode(Bool.self) {
                self = .bool(b)
            } else if let n = try? container.decode(Double.self) {
                self = .number(n)
            } else if let s = try? container.decode(String.self) {
                self = .string(s)
            } else if let list = try? container.decode([Node].self) {
                self = .list(list)
            } else {
                self = .map(try container.decode([String: Node].self).sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
            }
        }
    }

    public let node: Node
    public let file: String
    public let path: String

    public init(node: Node, file: String, path: String = "") {
        self.node = node
        self.file = file
        self.path = path
    }

    /// Reads a JSON document (object key order is not kept; lists keep theirs).
    public init(json data: Data, file: String) throws(ConveyorError) {
        do {
            self.init(node: try JSONDecoder().decode(Node.self, from: data), file: file)
        } catch let DecodingError.dataCorrupted(context) {
            throw .invalidInput(
                "\(file): not valid JSON (\((context.underlyingError as NSError?)?.userInfo["NSDebugDescription"] ?? context.debugDescription))")
        } catch {
            throw .invalidInput("\(file): not valid JSON")
        }
    }

    // MARK: Navigation

    public subscript(key: String) -> ConfigurationValue {
        let child = path.isEmpty ? key : "\(path).\(key)"
        guard case .map(let pairs) = node, let found = pairs.first(where: { $0.0 == key }) else {
            return ConfigurationValue(node: .missing, file: file, path: child)
        }
        return ConfigurationValue(node: found.1, file: file, path: child)
    }

    public subscript(index: Int) -> ConfigurationValue {
        guard case .list(let items) = node, items.indices.contains(index) else {
            return ConfigurationValue(node: .missing, file: file, path: "\(path)[\(index)]")
        }
        return ConfigurationValue(node: items[index], file: file, path: "\(path)[\(index)]")
    }

    public var isMissing: Bool {
        switch node {
        case .missing, .null: true
        default: false
        }
    }

    /// The error for this place: `file: path: message`.
    public func error(_ message: String) -> ConveyorError {
        .invalidInput("\(file): \(path.isEmpty ? "" : "\(path): ")\(message)")
    }

    var found: String {
        switch node {
        case .string(let s): "'\(s)'"
        case .number(let n): n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : String(n)
        case .bool(let b): String(b)
        case .list: "a list"
        case .map: "a map"
        case .null: "null"
        case .missing: "nothing"
        }
    }

    // MARK: Typed reads

    public func list() throws(ConveyorError) -> [ConfigurationValue] {
        guard case .list(let items) = node else { throw error("expected a list, found \(found)") }
        return items.indices.map { self[$0] }
    }

    /// Keys of a map, in file order for YAML's ordered maps (sorted for JSON objects).
    public func keys() throws(ConveyorError) -> [String] {
        guard case .map(let pairs) = node else { throw error("expected a map, found \(found)") }
        return pairs.map(\.0)
    }

    /// Refuses keys other than `allowed`, naming the first unknown one.
    public func onlyKeys(_ allowed: Set<String>) throws(ConveyorError) {
        for key in try keys() where !allowed.contains(key) {
            throw self[key].error("unknown key (expected one of: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    public func string() throws(ConveyorError) -> String {
        switch node {
        case .string(let s) where !s.trimmingCharacters(in: .whitespaces).isEmpty: return s
        case .missing: throw error("is required")
        default: throw error("expected text, found \(found)")
        }
    }

    public func string(default value: String) throws(ConveyorError) -> String { isMissing ? value : try string() }

    public func optionalString() throws(ConveyorError) -> String? { isMissing ? nil : try string() }

    /// A duration as text (`48h`, `30m`, `90s`, `2d`, `0`) or a number of seconds, up to 100 years.
    public func duration(default fallback: Double) throws(ConveyorError) -> Double {
        guard !isMissing else { return fallback }
        let longest = 100 * 365.25 * 86_400
        if case .number(let seconds) = node {
            guard seconds.isFinite, seconds >= 0, seconds <= longest else { throw error("a duration from 0 to 100 years") }
            return seconds
        }
        let text = try string()
        if text.trimmingCharacters(in: .whitespaces) == "0" { return 0 }
        do { return Double(try AgeText.seconds(text)) } catch { throw self.error(error.message) }
    }

    public func int(minimum: Int? = nil) throws(ConveyorError) -> Int {
        let bound = minimum.map { " ≥ \($0)" } ?? ""
        guard case .number(let n) = node, n == n.rounded(), abs(n) < 1e15 else {
            if case .missing = node { throw error("is required") }
            throw error("expected a whole number\(bound), found \(found)")
        }
        if let minimum, Int(n) < minimum { throw error("expected a whole number\(bound), found \(Int(n))") }
        return Int(n)
    }

    public func int(default value: Int, minimum: Int? = nil) throws(ConveyorError) -> Int { isMissing ? value : try int(minimum: minimum) }

    /// A finite number; at most `maximum` (by default 10¹², so that seconds stay countable in microseconds).
    public func double(minimum: Double? = nil, maximum: Double = 1e12) throws(ConveyorError) -> Double {
        guard case .number(let n) = node, n.isFinite else {
            if case .missing = node { throw error("is required") }
            throw error("expected a number, found \(found)")
        }
        if let minimum, n < minimum { throw error("expected a number ≥ \(minimum), found \(found)") }
        if n > maximum { throw error("expected a number ≤ \(maximum.formatted()), found \(found)") }
        return n
    }

    public func double(default value: Double, minimum: Double? = nil, maximum: Double = 1e12) throws(ConveyorError) -> Double {
        isMissing ? value : try double(minimum: minimum, maximum: maximum)
    }

    public func bool(default value: Bool) throws(ConveyorError) -> Bool {
        if isMissing { return value }
        guard case .bool(let b) = node else { throw error("expected true or false, found \(found)") }
        return b
    }

    /// A list of strings; a single string is a list of one.
    public func strings(default value: [String] = []) throws(ConveyorError) -> [String] {
        if isMissing { return value }
        if case .string = node { return [try string()] }
        var out: [String] = []
        for item in try list() { out.append(try item.string()) }
        return out
    }

    /// A value of a closed set of names, with the valid names in the error.
    public func named<T: NamedValueSet>(_ type: T.Type, default value: T? = nil) throws(ConveyorError) -> T {
        if isMissing, let value { return value }
        let text = try string()
        guard let parsed = try? T(parsing: text) else {
            throw error("unknown \(T.valueKind) '\(text)' (expected one of: \(T.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return parsed
    }
}
