import ConveyorCore
import ConveyorRuns

/// `/buckets`: every frozen bucket and what changed in the registry since.
struct BucketsPage: Page {
    let reports: [RunRegistry.BucketReport]
    let actor: Actor?
    let title = "Buckets"

    var body: HTML {
        let rows = reports.map { r -> HTML in
            let b = r.bucket
            let warnings: HTML =
                r.warnings.isEmpty ? "<span class=\"muted\">none</span>" : "<ul class=\"warnings\">\(r.warnings.map { w -> HTML in "<li>\(w)</li>" })</ul>"
            return
                "<tr><td>\(b.name)</td><td><a href=\"/runs?exp=\(b.exp)&amp;runs=\(b.firstRun)-\(b.lastRun)\">\(b.exp):\(b.firstRun)–\(b.lastRun)</a></td><td class=\"num\">\(b.members.count)</td><td class=\"num\">\(String(format: "%.3f", b.luminosity / 1000))</td><td>\(String(b.createdAt.iso8601.prefix(10))) by \(b.createdBy)</td><td>\(warnings)</td></tr>"
        }
        return """
            <p class="muted">Buckets are frozen when created: a later change to a run's quality shows here as a warning and never changes the bucket. Plan new ones with <code>conveyor bucket plan --exp E --target-lumi 2/fb</code>.</p>
            <table id="buckets"><thead><tr><th>Name</th><th>Runs</th><th>Good runs</th><th>Lumi /fb</th><th>Created</th><th>Warnings</th></tr></thead><tbody>\(rows)</tbody></table>
            """
    }
}
