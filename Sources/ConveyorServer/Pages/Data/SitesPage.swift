import ConveyorCore
import ConveyorDataManagement

/// `/sites`: every storage endpoint with used, quota and free bytes, and the rules in each state.
struct SitesPage: Page {
    let endpoints: [DataManagement.EndpointUsage]
    let rules: [ReplicationRule]
    let actor: Actor?
    let title = "Sites and storage"

    var body: HTML {
        let rows = endpoints.map { e -> HTML in
            let endpoint = e.endpoint
            let share = endpoint.quotaBytes.flatMap { quota in quota > 0 ? Double(e.usedBytes) / Double(quota) : nil }
            let bar: HTML =
                share.map { s in "<span class=\"bar\"><span style=\"width:\(Int(min(max(s, 0), 1) * 100))%\"></span></span> \(Int((s * 100).rounded()))%" }
                ?? "<span class=\"muted\">no quota</span>"
            let attributes =
                endpoint.attributes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                + endpoint.ownerQuotas.sorted { $0.key < $1.key }.map {
                    " · \($0.key): \(ByteCount.describe(e.ownerUsage[$0.key] ?? 0)) of \(ByteCount.describe($0.value))"
                }.joined()
            return
                "<tr><td>\(endpoint.name)</td><td>\(endpoint.site)</td><td>\(endpoint.kind.rawValue)</td><td class=\"num\">\(e.files)</td><td class=\"num\">\(ByteCount.describe(e.usedBytes))</td><td class=\"num\">\(endpoint.quotaBytes.map(ByteCount.describe) ?? "–")</td><td class=\"num\">\(e.freeBytes.map(ByteCount.describe) ?? "–")</td><td>\(bar)</td><td class=\"num\">\(ByteCount.describe(e.deletableBytes))</td><td class=\"num\">\(ByteCount.describe(e.incomingBytes))</td><td>\(attributes)</td></tr>"
        }
        let counts = RuleState.allCases.map { state -> HTML in
            "<a href=\"/rules?state=\(state.rawValue)\">\(rules.filter { $0.state == state }.count) \(state.rawValue)</a>"
        }
        return """
            <p>Rules: \(counts.map { $0.rendered }.joined(separator: " · ")) — <a href="/rules">all rules</a>, <a href="/datasets">datasets</a></p>
            <table id="sites"><thead><tr><th>Endpoint</th><th>Site</th><th>Kind</th><th>Files</th><th>Used</th><th>Quota</th><th>Free</th><th>Use</th><th>Deletable</th><th>Incoming</th><th>Attributes · owners</th></tr></thead><tbody>\(rows)</tbody></table>
            <p class="muted">Deletable copies are held by no rule; the reaper deletes them, oldest first, when an endpoint has less free space than its target. Add endpoints with <code>conveyor site add</code>.</p>
            """
    }
}
