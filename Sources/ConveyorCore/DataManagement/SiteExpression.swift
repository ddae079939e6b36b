/// Which storage endpoints a rule places copies on, written in Rucio's RSE-expression grammar.
///
/// A term is an endpoint's name, an attribute whose value is `true` (`tape`), or a comparison
/// (`country=JP`, `tier!=0`, `freespace>100` for numbers); `*` is every endpoint. Terms combine
/// with `|` (union), `&` (intersection) and `\` (difference), from left to right as Rucio
/// evaluates them, with parentheses to group.
///
/// ```swift
/// let expression = try SiteExpression("kind=disk&(country=JP|country=US)\\site=BNL")
/// expression.select(from: endpoints)   // the disk endpoints in Japan
/// ```
public struct SiteExpression: Sendable, Hashable, CustomStringConvertible {
    indirect enum Node: Sendable, Hashable {
        case all
        case term(String)
        case compare(key: String, op: Comparison, value: String)
        case union(Node, Node)
        case intersection(Node, Node)
        case difference(Node, Node)
    }

    enum Comparison: String, Sendable, Hashable {
        case equal = "=", notEqual = "!=", less = "<", greater = ">"
    }

    public let text: String
    let root: Node

    public var description: String { text }

    public init(_ text: String) throws(ConveyorError) {
        self.text = text
        guard !text.isEmpty, text.count <= 500 else { throw .invalidInput("a site expression must be 1–500 characters") }
        var parser = Parser(text: text)
        root = try parser.parseAll()
    }

    /// The names of the endpoints the expression selects, in name order.
    public func select(from endpoints: [StorageEndpoint]) -> [StorageEndpoint] {
        let chosen = Self.evaluate(root, endpoints)
        return endpoints.filter { chosen.contains($0.name) }.sorted { $0.name < $1.name }
    }

    /// Like ``select(from:)``, refusing an expression that selects nothing.
    public func require(from endpoints: [StorageEndpoint]) throws(ConveyorError) -> [StorageEndpoint] {
        let chosen = select(from: endpoints)
        guard !chosen.isEmpty else { throw .invalidInput("site expression '\(text)' matches no storage endpoint") }
        return chosen
    }

    static func evaluate(_ node: Node, _ endpoints: [StorageEndpoint]) -> Set<String> {
        switch node {
        case .all: return Set(endpoints.map(\.name))
        case .term(let word):
            return Set(endpoints.filter { $0.name == word || $0.allAttributes[word]?.lowercased() == "true" }.map(\.name))
        case .compare(let key, let op, let value):
            return Set(
                endpoints.filter { endpoint in
                    guard let have = endpoint.allAttributes[key] else { return op == .notEqual }
                    switch op {
                    case .equal: return have == value
                    case .notEqual: return have != value
                    case .less, .greater:
                        guard let a = Double(have), let b = Double(value) else { return false }
                        return op == .less ? a < b : a > b
                    }
                }.map(\.name))
        case .union(let a, let b): return evaluate(a, endpoints).union(evaluate(b, endpoints))
        case .intersection(let a, let b): return evaluate(a, endpoints).intersection(evaluate(b, endpoints))
        case .difference(let a, let b): return evaluate(a, endpoints).subtracting(evaluate(b, endpoints))
        }
    }

    struct Parser {
        let characters: [Character]
        let text: String
        var position = 0
        var depth = 0

        init(text: String) {
            self.text = text
            characters = Array(text)
        }

        mutating func parseAll() throws(ConveyorError) -> Node {
            let node = try parseSequence()
            guard position == characters.count else { throw fail("unexpected '\(characters[position])'") }
            return node
        }

        /// Terms joined by operators, left to right.
        mutating func parseSequence() throws(ConveyorError) -> Node {
            var node = try parsePrimary()
            while position < characters.count, "|&\\".contains(characters[position]) {
                let op = characters[position]
                position += 1
                let next = try parsePrimary()
                switch op {
                case "|": node = .union(node, next)
                case "&": node = .intersection(node, next)
                default: node = .difference(node, next)
                }
            }
            return node
        }

        mutating func parsePrimary() throws(ConveyorError) -> Node {
            guard position < characters.count else { throw fail("a term is missing at the end") }
            let c = characters[position]
            if c == "(" {
                depth += 1
                guard depth <= 50 else { throw fail("parentheses nest too deep") }
                position += 1
                let inner = try parseSequence()
                guard position < characters.count, characters[position] == ")" else { throw fail("a '(' is not closed") }
                position += 1
                depth -= 1
                return inner
            }
            if c == "*" {
                position += 1
                return .all
            }
            let key = word()
            guard !key.isEmpty else { throw fail("expected a name or attribute at '\(c)'") }
            guard position < characters.count else { return .term(key) }
            var op: Comparison?
            if characters[position] == "=" {
                op = .equal
                position += 1
            } else if characters[position] == "!", position + 1 < characters.count, characters[position + 1] == "=" {
                op = .notEqual
                position += 2
            } else if characters[position] == "<" || characters[position] == ">" {
                op = characters[position] == "<" ? .less : .greater
                position += 1
            }
            guard let op else { return .term(key) }
            let value = word(allowing: ".-")
            guard !value.isEmpty else { throw fail("'\(key)\(op.rawValue)' needs a value") }
            return .compare(key: key, op: op, value: value)
        }

        mutating func word(allowing extra: String = "-") -> String {
            let start = position
            while position < characters.count, StorageEndpoint.isWordCharacter(characters[position]) || extra.contains(characters[position]) {
                position += 1
            }
            return String(characters[start..<position])
        }

        func fail(_ reason: String) -> ConveyorError {
            .invalidInput("site expression '\(text)': \(reason) (at character \(position + 1))")
        }
    }
}
