import ConveyorCore
import ConveyorMonteCarlo

/// `/mc`: every MC campaign with its requests and events.
struct MonteCarloCampaignsPage: Page {
    let campaigns: [MonteCarloProduction.CampaignSummary]
    let actor: Actor?
    var title: String { "MC campaigns" }

    var body: HTML {
        guard !campaigns.isEmpty else { return "<p>No MC campaigns yet: <code>conveyor mc campaign add</code>.</p>" }
        let rows = campaigns.map { c -> HTML in
            let states = MonteCarloRequestState.allCases.compactMap { s in c.byState[s.rawValue].map { "\($0) \(s.rawValue)" } }.joined(separator: ", ")
            return """
                <tr><td><a href="/mc/\(c.campaign.name)">\(c.campaign.name)</a></td><td>\(c.campaign.status.rawValue)</td><td>\(c.campaign.release)</td>\
                <td>\(c.campaign.globalTags.joined(separator: ", "))</td><td>\(c.requests)</td><td>\(states)</td><td>\(c.events)</td><td>\(c.eventsDone)</td></tr>
                """
        }
        return """
            <table id="campaigns"><thead><tr><th>Campaign</th><th>Status</th><th>Release</th><th>Global tags</th><th>Requests</th><th>By state</th><th>Events asked</th><th>Events made</th></tr></thead><tbody>\(rows)</tbody></table>
            """
    }
}
