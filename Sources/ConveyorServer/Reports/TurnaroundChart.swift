import ConveyorCore
import ConveyorRequests
import Foundation

/// Turnaround as pictures: one stacked bar per request (compute, batch slots, data, people,
/// other), drawn to the same time scale, as a self-contained SVG for the request page and for
/// `conveyor report turnaround --plot`.
///
/// ```swift
/// let svg = TurnaroundChart.svg(for: try await requests.turnarounds(campaign: "prompt"))
/// ```
public enum TurnaroundChart {
    /// The parts in drawing order, with their colours and names.
    public static let parts: [(name: String, colour: String, value: @Sendable (Turnaround.Parts) -> Double)] = [
        ("compute", "#2e7d32", { $0.compute }),
        ("batch slots", "#f9a825", { $0.batchSlots }),
        ("data", "#1565c0", { $0.data }),
        ("people", "#c62828", { $0.people }),
        ("other", "#9e9e9e", { $0.other }),
    ]

    /// `3 d 4 h`, `2 h 5 min`, `40 s`.
    public static func duration(_ seconds: Double) -> String { InboxItem.describe(age: seconds) }

    public static func svg(for rows: [Requests.RequestTurnaround], width: Int = 760) -> String {
        let label = 170
        let barWidth = Double(width - label - 20)
        let longest = max(rows.map(\.turnaround.wallSeconds).max() ?? 1, 1)
        let rowHeight = 26
        let height = 40 + rows.count * rowHeight + 24
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" class="turnaround" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" font-family="sans-serif" font-size="12">
            <title>Turnaround: where each request's wall time went</title>

            """
        var x = Double(label)
        for part in parts {
            out += "<rect x=\"\(Int(x))\" y=\"6\" width=\"12\" height=\"12\" fill=\"\(part.colour)\"/><text x=\"\(Int(x) + 16)\" y=\"16\">\(part.name)</text>\n"
            x += 100
        }
        for (index, row) in rows.enumerated() {
            let y = 34 + index * rowHeight
            out += "<text x=\"\(label - 6)\" y=\"\(y + 15)\" text-anchor=\"end\">\(escape(row.request))</text>\n"
            var left = Double(label)
            for part in parts {
                let seconds = part.value(row.turnaround.parts)
                let w = seconds / longest * barWidth
                guard w > 0 else { continue }
                out +=
                    "<rect x=\"\(format(left))\" y=\"\(y)\" width=\"\(format(w))\" height=\"20\" fill=\"\(part.colour)\"><title>\(escape(row.request)): \(part.name) \(duration(seconds))</title></rect>\n"
                left += w
            }
            out += "<text x=\"\(format(left + 4))\" y=\"\(y + 15)\">\(duration(row.turnaround.wallSeconds))\(row.turnaround.finished ? "" : " so far")</text>\n"
        }
        out +=
            "<text x=\"\(label)\" y=\"\(height - 6)\" fill=\"#555\">0</text><text x=\"\(width - 20)\" y=\"\(height - 6)\" text-anchor=\"end\" fill=\"#555\">\(duration(longest))</text>\n"
        return out + "</svg>\n"
    }

    static func format(_ value: Double) -> String { String(format: "%.1f", value) }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}
