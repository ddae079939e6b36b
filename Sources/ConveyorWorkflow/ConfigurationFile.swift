import ConveyorCore
import Foundation
import Yams

/// Reads a YAML or JSON configuration file into a ``ConfigurationValue``, so that every error
/// names the file and the key path. YAML keeps the order of its maps.
///
/// ```swift
/// let root = try ConfigurationFile.read(data, name: "dag.yaml")
/// let definition = try WorkflowDefinition(configuration: root)
/// ```
public enum ConfigurationFile {
    public static func read(_ data: Data, name: String) throws(ConveyorError) -> ConfigurationValue {
        guard let text = String(data: data, encoding: .utf8) else { throw .invalidInput("\(name): not UTF-8 text") }
        let trimmed = text.drop { $0.isWhitespace }
        if name.lowercased().hasSuffix(".json") || trimmed.first == "{" || trimmed.first == "[" {
            return try ConfigurationValue(json: data, file: name)
        }
        let root: Yams.Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw .invalidInput("\(name): not valid YAML: \(Self.describe(error))")
        } catch {
            throw .invalidInput("\(name): not valid YAML")
        }
        guard let root else { throw .invalidInput("\(name): the file is empty") }
        return ConfigurationValue(node: convert(root), file: name)
    }

    static func convert(_ node: Yams.Node) -> ConfigurationValue.Node {
        switch node {
        case .scalar:
            if node.null != nil { return .null }
            if let b = node.bool { return .bool(b) }
            if let i = node.int { return .number(Double(i)) }
            if let d = node.float { return .number(d) }
            return .string(node.string ?? "")
        case .mapping(let mapping):
            return .map(mapping.map { pair in (pair.key.string ?? "\(pair.key)", convert(pair.value)) })
        case .sequence(let sequence):
            return .list(sequence.map(convert))
        case .alias:
            return .string(node.string ?? "")
        }
    }

    static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _):
            "\(problem) at line \(mark.line), column \(mark.column)"
        default:
            "\(error)".split(separator: "\n").first.map(String.init) ?? "unreadable"
        }
    }
}
