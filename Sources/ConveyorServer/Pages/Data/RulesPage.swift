import ConveyorCore
import ConveyorDataManagement

/// `/rules`: replication rules with their state, progress and the reason copies are missing.
struct RulesPage: Page {
    let rules: [ReplicationRule]
    let stateFilter: RuleState?
    let actor: Actor?
    let title = "Replication rules"

    var body: HTML {
        let rows = rules.map { r -> HTML in
            let total = r.locksOK + r.locksReplicating + r.locksStuck
            let progress = total == 0 ? 0 : Int((Double(r.locksOK) / Double(total) * 100).rounded())
            return
                "<tr class=\"state-\(r.state.rawValue.lowercased())\"><td><a href=\"/rules/\(r.id)\">\(r.id)</a></td><td><span class=\"badge \(r.state.rawValue.lowercased())\">\(r.state.rawValue)</span></td><td>\(Self.dataLink(r.target))</td><td class=\"num\">\(r.copies)</td><td><code>\(r.expression)</code></td><td><span class=\"bar\"><span style=\"width:\(progress)%\"></span></span> \(r.locksOK)/\(total)</td><td class=\"num\">\(ByteCount.describe(r.bytes))</td><td>\(r.activity)</td><td>\(r.request ?? "")</td><td>\(r.expiresAt.map { String($0.iso8601.prefix(16)) } ?? "")</td><td>\(r.error ?? "")</td></tr>"
        }
        let filters = ([nil] + RuleState.allCases.map(Optional.some)).map { state -> HTML in
            let label = state?.rawValue ?? "all"
            return state == stateFilter ? "<strong>\(label)</strong>" : "<a href=\"/rules\(state.map { "?state=\($0.rawValue)" } ?? "")\">\(label)</a>"
        }
        return """
            <p>Show: \(filters.map { $0.rendered }.joined(separator: " · "))</p>
            <table id="rules"><thead><tr><th>Rule</th><th>State</th><th>Data</th><th>Copies</th><th>Where</th><th>Progress</th><th>Bytes</th><th>Activity</th><th>Request</th><th>Expires</th><th>Why not OK</th></tr></thead><tbody>\(rows)</tbody></table>
            """
    }

    static func dataLink(_ target: RuleTarget) -> HTML {
        switch target {
        case .file(let lfn): return "<a href=\"/files\(lfn.pathPercentEncoded)\">\(lfn)</a>"
        case .dataset(let name), .container(let name): return "<a href=\"/datasets/detail?name=\(queryEncoded(name))\">\(target.description)</a>"
        }
    }
}

/// `/rules/{id}`: one rule and each copy it still waits for.
struct RulePage: Page {
    let detail: DataManagement.RuleDetail
    let actor: Actor?
    var title: String { "Rule \(detail.rule.id)" }

    var body: HTML {
        let r = detail.rule
        let waiting = detail.waiting.map { lock -> HTML in
            "<tr><td>\(lock.lfn)</td><td>\(lock.endpoint)</td><td>\(lock.state.rawValue)</td><td class=\"num\">\(lock.failures)</td><td>\(lock.nextAttemptAt.map { String($0.iso8601.prefix(19)) } ?? "")</td><td>\(lock.reason ?? "")</td></tr>"
        }
        return """
            <p><span class="badge \(r.state.rawValue.lowercased())">\(r.state.rawValue)</span> \(RulesPage.dataLink(r.target)) ×\(r.copies) on <code>\(r.expression)</code>, grouping \(r.grouping.rawValue), by \(r.owner) (\(r.activity), priority \(r.priority))</p>
            <p>\(r.locksOK) copies OK, \(r.locksReplicating) replicating, \(r.locksStuck) stuck; \(ByteCount.describe(r.bytes)); \(r.expiresAt.map { "expires \($0.iso8601)" } ?? "no expiry")\(r.request.map { "; for request \($0)" } ?? "")</p>
            \(r.error.map { e -> HTML in "<p class=\"error\">\(e)</p>" } ?? "")
            <p class="muted">\(r.comment)</p>
            <h2>Copies still missing</h2>
            <table id="waiting"><thead><tr><th>File</th><th>Endpoint</th><th>Lock</th><th>Failures</th><th>Next try</th><th>Reason</th></tr></thead><tbody>\(waiting)</tbody></table>
            <p class="muted">A STUCK copy is retried with growing waits; after its limit the rule is SUSPENDED until <code>conveyor rule retry \(r.id)</code>.</p>
            """
    }
}
