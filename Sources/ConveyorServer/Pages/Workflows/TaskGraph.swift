import ConveyorCore

/// A workflow's tasks as an SVG graph: columns by depth (longest path from a root), boxes
/// coloured by state, arrays with their done/running/failed counts. Drawn on the workflow and
/// request pages.
struct TaskGraph {
    let tasks: [WorkflowTask]

    /// Larger DAGs are shown as tables only.
    static let limit = 400

    /// Tasks in columns by depth (longest path from a root), one row per task of a column.
    var svg: HTML {
        guard tasks.count <= Self.limit else {
            return "<p class=\"muted\">The graph is drawn for workflows of up to \(Self.limit) tasks; this one has \(tasks.count).</p>"
        }
        var depth: [Int64: Int] = [:]
        let byID = Dictionary(tasks.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        func level(_ id: Int64) -> Int {
            if let d = depth[id] { return d }
            let d = (byID[id]?.upstream.map { level($0) + 1 }.max()) ?? 0
            depth[id] = d
            return d
        }
        var columns: [Int: [WorkflowTask]] = [:]
        for task in tasks { columns[level(task.id), default: []].append(task) }
        let (boxW, boxH, gapX, gapY) = (150, 40, 50, 14)
        var position: [Int64: (x: Int, y: Int)] = [:]
        for (column, members) in columns {
            for (row, task) in members.enumerated() { position[task.id] = (20 + column * (boxW + gapX), 20 + row * (boxH + gapY)) }
        }
        let width = 40 + (columns.keys.max() ?? 0) * (boxW + gapX) + boxW
        let height = 40 + (columns.values.map(\.count).max() ?? 1) * (boxH + gapY)
        var edges: [HTML] = []
        for task in tasks {
            guard let to = position[task.id] else { continue }
            for up in task.upstream {
                guard let from = position[up] else { continue }
                edges.append("<line class=\"edge\" x1=\"\(from.x + boxW)\" y1=\"\(from.y + boxH / 2)\" x2=\"\(to.x)\" y2=\"\(to.y + boxH / 2)\"/>")
            }
        }
        let nodes = tasks.map { task -> HTML in
            let p = position[task.id]!
            let label = task.name.count > 20 ? String(task.name.prefix(19)) + "…" : task.name
            let sub = task.definition.kind == .job && task.definition.elements > 1 ? Self.elementSummary(task) : task.state.rawValue
            return """
                <g class="node st-\(task.state.rawValue)" data-task="\(task.name)"><title>\(task.name): \(task.state.rawValue)</title>\
                <rect x="\(p.x)" y="\(p.y)" width="\(boxW)" height="\(boxH)" rx="5"/>\
                <text x="\(p.x + 8)" y="\(p.y + 16)" class="label">\(label)</text><text x="\(p.x + 8)" y="\(p.y + 32)" class="sub">\(sub)</text></g>
                """
        }
        // At its own size in a scrolling box: a wide DAG shrunk to the page is unreadable.
        return
            "<div class=\"graph-scroll\"><svg class=\"dag\" id=\"dag\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"task graph\">\(edges)\(nodes)</svg></div>"
    }

    static func elementSummary(_ task: WorkflowTask) -> String {
        let c = task.elementCounts
        let running = (c["running"] ?? 0) + (c["submitted"] ?? 0)
        return "\(task.elementProgress) done" + (running > 0 ? ", \(running) running" : "")
            + ((c["failed"] ?? 0) > 0 ? ", \(c["failed"]!) failed" : "")
    }
}
