import ConveyorCore
import Foundation

/// Printing for commands: one JSON document, or aligned text tables.
enum Output {
    static func json(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        FileHandle.standardOutput.write(data)
        FileHandle.standardOutput.write(Data("\n".utf8))
    }

    static func line(_ text: String = "") {
        print(text)
    }

    static func warn(_ text: String) {
        FileHandle.standardError.write(Data("\(text)\n".utf8))
    }

    /// Columns padded to their widest cell; numbers are right-aligned by the caller's choice.
    static func table(_ header: [String], _ rows: [[String]], rightAligned: Set<Int> = []) {
        let widths = header.indices.map { column in
            ([header[column]] + rows.map { column < $0.count ? $0[column] : "" }).map(\.count).max() ?? 0
        }
        func render(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                let padding = String(repeating: " ", count: max(0, widths[index] - cell.count))
                return rightAligned.contains(index) ? padding + cell : cell + padding
            }.joined(separator: "  ").trailingWhitespaceRemoved
        }
        print(render(header))
        for row in rows { print(render(row)) }
    }
}

extension String {
    var trailingWhitespaceRemoved: String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
