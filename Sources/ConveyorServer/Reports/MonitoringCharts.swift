import ConveyorCore
import ConveyorMonitoring
import Foundation

/// Monitoring as pictures, self-contained SVG: a 1-D histogram drawn over its reference (scaled
/// to the same integral), a 2-D histogram as a heat map, and a variable's trend across runs with
/// error bars, the reference band and the runs flagged bad.
///
/// ```swift
/// let svg = MonitoringCharts.histogram(value, over: reference)
/// ```
public enum MonitoringCharts {
    static let width = 360.0, height = 200.0, margin = 30.0

    public static func histogram(_ h: MonitoringHistogram, over reference: MonitoringHistogram?) -> String {
        if h.isTwoDimensional { return heatMap(h) }
        let reference = reference.flatMap { $0.hasSameBinning(as: h) && !$0.isTwoDimensional && $0.integral > 0 ? $0 : nil }
        let scale = reference.map { h.integral > 0 ? h.integral / $0.integral : 1 } ?? 1
        let referenceContents = reference?.contents.map { $0 * scale } ?? []
        let top = max((h.contents + referenceContents).max() ?? 1, 1e-12) * 1.1
        func path(_ contents: [Double]) -> String { stepPath(contents, top: top, bins: h.x.bins) + " L\(f(width - margin)),\(f(height - margin))" }
        var out = open(title: h.name)
        out += axes(low: h.x.low, high: h.x.high, label: h.x.label ?? "")
        if !referenceContents.isEmpty {
            out += "<path d=\"\(path(referenceContents))\" fill=\"#c8e6c9\" stroke=\"#2e7d32\" stroke-width=\"1\"><title>reference</title></path>\n"
        }
        out += "<path d=\"\(path(h.contents))\" fill=\"none\" stroke=\"#1565c0\" stroke-width=\"1.5\"><title>this run</title></path>\n"
        out += legend(referenceContents.isEmpty ? [("this run", "#1565c0")] : [("this run", "#1565c0"), ("reference", "#2e7d32")])
        return out + "</svg>\n"
    }

    /// Several histograms of one binning as shapes (each scaled to unit area), e.g. a mass peak
    /// before and after calibration.
    public static func shapes(_ curves: [(label: String, colour: String, histogram: MonitoringHistogram)], title: String) -> String {
        guard let first = curves.first?.histogram else { return "" }
        let normalised = curves.map { c in c.histogram.integral > 0 ? c.histogram.contents.map { $0 / c.histogram.integral } : c.histogram.contents }
        let top = max(normalised.flatMap { $0 }.max() ?? 1, 1e-12) * 1.1
        var out = open(title: title)
        out += axes(low: first.x.low, high: first.x.high, label: first.x.label ?? "")
        for (curve, contents) in zip(curves, normalised) {
            out +=
                "<path d=\"\(stepPath(contents, top: top, bins: first.x.bins))\" fill=\"none\" stroke=\"\(curve.colour)\" stroke-width=\"1.5\"><title>\(escape(curve.label))</title></path>\n"
        }
        out += legend(curves.map { ($0.label, $0.colour) })
        return out + "</svg>\n"
    }

    /// An SVG path of bin contents as steps, from the bottom left, scaled so that `top` is the plot's top.
    static func stepPath(_ contents: [Double], top: Double, bins: Int) -> String {
        let plotHeight = height - 2 * margin
        let bin = (width - 2 * margin) / Double(max(bins, 1))
        var d = "M\(f(margin)),\(f(height - margin))"
        for (i, c) in contents.enumerated() {
            let y = height - margin - c / top * plotHeight
            d += " L\(f(margin + Double(i) * bin)),\(f(y)) L\(f(margin + Double(i + 1) * bin)),\(f(y))"
        }
        return d
    }

    static func heatMap(_ h: MonitoringHistogram) -> String {
        guard let y = h.y else { return "" }
        let top = max(h.contents.max() ?? 1, 1e-12)
        let plotWidth = width - 2 * margin, plotHeight = height - 2 * margin
        let cw = plotWidth / Double(h.x.bins), ch = plotHeight / Double(y.bins)
        var out = open(title: h.name)
        out += axes(low: h.x.low, high: h.x.high, label: "\(h.x.label ?? "x") × \(y.label ?? "y")")
        for j in 0..<y.bins {
            for i in 0..<h.x.bins {
                let index = j * h.x.bins + i
                guard index < h.contents.count, h.contents[index] > 0 else { continue }
                let c = h.contents[index]
                let shade = Int(235 - 200 * (c / top).squareRoot())
                out +=
                    "<rect x=\"\(f(margin + Double(i) * cw))\" y=\"\(f(height - margin - Double(j + 1) * ch))\" width=\"\(f(cw))\" height=\"\(f(ch))\" fill=\"rgb(\(shade),\(shade),255)\"/>\n"
            }
        }
        return out + "</svg>\n"
    }

    public static func trend(_ trend: QualityMonitoring.Trend) -> String {
        let w = 760.0, h = 260.0, m = 44.0
        guard let first = trend.points.first?.run, let last = trend.points.last?.run else {
            return open(title: trend.variable, width: w, height: 60) + "<text x=\"10\" y=\"30\">no values</text></svg>\n"
        }
        var values = trend.points.flatMap { p in [p.value - (p.error ?? 0), p.value + (p.error ?? 0)] }
        for band in trend.bands { values += [band.value, band.low ?? band.value, band.high ?? band.value] }
        var low = values.min() ?? 0, high = values.max() ?? 1
        if high - low < 1e-12 { (low, high) = (low - 1, high + 1) }
        let pad = (high - low) * 0.08
        (low, high) = (low - pad, high + pad)
        let span = Double(max(last - first, 1))
        func x(_ run: Int) -> Double { m + Double(run - first) / span * (w - 2 * m) }
        func y(_ v: Double) -> Double { h - m - (v - low) / (high - low) * (h - 2 * m) }
        var out = open(title: "\(trend.variable) (\(trend.processing))", width: w, height: h)
        out +=
            "<line x1=\"\(f(m))\" y1=\"\(f(h - m))\" x2=\"\(f(w - m))\" y2=\"\(f(h - m))\" stroke=\"#555\"/><line x1=\"\(f(m))\" y1=\"\(f(m))\" x2=\"\(f(m))\" y2=\"\(f(h - m))\" stroke=\"#555\"/>\n"
        out += "<text x=\"\(f(m))\" y=\"\(f(h - m + 16))\">\(first)</text><text x=\"\(f(w - m))\" y=\"\(f(h - m + 16))\" text-anchor=\"end\">\(last)</text>\n"
        out +=
            "<text x=\"\(f(m - 4))\" y=\"\(f(m))\" text-anchor=\"end\">\(g(high))</text><text x=\"\(f(m - 4))\" y=\"\(f(h - m))\" text-anchor=\"end\">\(g(low))</text>\n"
        for band in trend.bands {
            let x0 = x(max(band.firstRun, first)), x1 = x(min(band.lastRun, last))
            if let bl = band.low, let bh = band.high {
                out +=
                    "<rect class=\"band\" x=\"\(f(x0))\" y=\"\(f(y(bh)))\" width=\"\(f(max(x1 - x0, 1)))\" height=\"\(f(max(y(bl) - y(bh), 1)))\" fill=\"#c8e6c9\"><title>reference \(g(band.value)), \(escape(band.test))</title></rect>\n"
            }
            out += "<line x1=\"\(f(x0))\" y1=\"\(f(y(band.value)))\" x2=\"\(f(x1))\" y2=\"\(f(y(band.value)))\" stroke=\"#2e7d32\" stroke-dasharray=\"4 3\"/>\n"
        }
        for p in trend.points {
            let colour = p.flaggedBad ? "#c62828" : p.verdict == .bad ? "#ef6c00" : "#1565c0"
            if let e = p.error, e > 0 {
                out += "<line x1=\"\(f(x(p.run)))\" y1=\"\(f(y(p.value - e)))\" x2=\"\(f(x(p.run)))\" y2=\"\(f(y(p.value + e)))\" stroke=\"\(colour)\"/>\n"
            }
            out +=
                "<circle class=\"\(p.flaggedBad ? "bad-run" : "run")\" cx=\"\(f(x(p.run)))\" cy=\"\(f(y(p.value)))\" r=\"\(p.flaggedBad ? 4 : 2.5)\" fill=\"\(colour)\"><title>run \(p.run): \(g(p.value))\(p.error.map { " ± \(g($0))" } ?? ""), \(p.verdict.rawValue)\(p.flaggedBad ? ", flagged BAD" : "")</title></circle>\n"
        }
        out += legend([("value", "#1565c0"), ("fails its reference", "#ef6c00"), ("run flagged BAD", "#c62828"), ("reference", "#2e7d32")], width: w)
        return out + "</svg>\n"
    }

    static func open(title: String, width: Double = width, height: Double = height) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" class="monitoring" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="11">
        <title>\(escape(title))</title>

        """
    }

    static func axes(low: Double, high: Double, label: String) -> String {
        "<line x1=\"\(f(margin))\" y1=\"\(f(height - margin))\" x2=\"\(f(width - margin))\" y2=\"\(f(height - margin))\" stroke=\"#555\"/>\n"
            + "<text x=\"\(f(margin))\" y=\"\(f(height - margin + 14))\">\(g(low))</text><text x=\"\(f(width - margin))\" y=\"\(f(height - margin + 14))\" text-anchor=\"end\">\(g(high))</text>\n"
            + "<text x=\"\(f(width / 2))\" y=\"\(f(height - 4))\" text-anchor=\"middle\" fill=\"#555\">\(escape(label))</text>\n"
    }

    static func legend(_ items: [(String, String)], width: Double = width) -> String {
        var x = margin
        var out = ""
        for (name, colour) in items {
            out += "<rect x=\"\(f(x))\" y=\"6\" width=\"10\" height=\"10\" fill=\"\(colour)\"/><text x=\"\(f(x + 14))\" y=\"15\">\(escape(name))</text>\n"
            x += 28 + Double(name.count) * 6
        }
        return out
    }

    static func f(_ v: Double) -> String { String(format: "%.1f", v.isFinite ? v : 0) }
    static func g(_ v: Double) -> String { String(format: "%.4g", v) }
    static func escape(_ text: String) -> String { TurnaroundChart.escape(text) }
}
