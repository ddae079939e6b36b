/// Text made safe to place in HTML: every page builds its markup from these, so user-supplied
/// names and audit details can never inject markup.
struct HTML: CustomStringConvertible, ExpressibleByStringInterpolation, Sendable {
    private(set) var rendered: String

    init(unsafe markup: String) { rendered = markup }

    init(stringLiteral value: String) { rendered = value }

    init(stringInterpolation: Interpolation) { rendered = stringInterpolation.rendered }

    var description: String { rendered }

    struct Interpolation: StringInterpolationProtocol {
        var rendered = ""

        init(literalCapacity: Int, interpolationCount: Int) {
            rendered.reserveCapacity(literalCapacity * 2)
        }

        mutating func appendLiteral(_ literal: String) { rendered += literal }

        /// Escaped text.
        mutating func appendInterpolation(_ text: some CustomStringConvertible) {
            rendered += HTML.escape(text.description)
        }

        /// Already-safe markup.
        mutating func appendInterpolation(_ html: HTML) { rendered += html.rendered }

        mutating func appendInterpolation(_ parts: [HTML]) {
            for part in parts { rendered += part.rendered }
        }
    }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
