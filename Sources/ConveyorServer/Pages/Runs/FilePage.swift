import ConveyorCore
import ConveyorRuns

/// `/files/{lfn}`: a file's checksums, replicas and provenance, ancestors and descendants linked.
struct FilePage: Page {
    let provenance: FileCatalog.Provenance
    let actor: Actor?
    var title: String { "File" }

    var body: HTML {
        let f = provenance.file
        func link(_ relative: Relative) -> HTML {
            "<li style=\"margin-left: \(relative.depth - 1)rem\"><a href=\"/files\(relative.lfn.pathPercentEncoded)\">\(relative.lfn)</a> <span class=\"muted\">\(relative.level.rawValue)</span></li>"
        }
        let replicas = f.replicas.map { r -> HTML in
            "<tr><td>\(r.site)</td><td>\(r.storage.rawValue)</td><td><code>\(r.path)</code></td><td>\(r.state.rawValue)</td></tr>"
        }
        let ancestors: HTML =
            provenance.ancestors.isEmpty
            ? "<p class=\"muted\">None: this is where the data begins.</p>" : "<ul id=\"ancestors\">\(provenance.ancestors.map(link))</ul>"
        let descendants: HTML =
            provenance.descendants.isEmpty
            ? "<p class=\"muted\">Nothing has been made from it yet.</p>" : "<ul id=\"descendants\">\(provenance.descendants.map(link))</ul>"
        return """
            <p><code id="lfn">\(f.lfn)</code></p>
            <p>\(f.level.rawValue) of run <a href="/runs/\(f.run.exp)/\(f.run.run)">\(f.run.description)</a>\(f.dataTag.map { " · \($0)" } ?? "") · \(f.events) events · \(f.size) bytes · <span class="flag flag-\(f.status == .good ? "good" : "bad")">\(f.status.rawValue)</span></p>
            <p class="muted">adler32 <code>\(f.adler32)</code> · sha256 <code>\(f.sha256)</code>\(f.release.isEmpty ? "" : " · release \(f.release)")\(f.globalTags.isEmpty ? "" : " · global tags \(f.globalTags.joined(separator: ", "))")\(f.conditionsResolvedAt.map { " · conditions as of \($0.iso8601)" } ?? "")</p>
            <h2>Replicas</h2>
            <table id="replicas"><thead><tr><th>Site</th><th>Storage</th><th>Path</th><th>State</th></tr></thead><tbody>\(replicas)</tbody></table>
            <h2>Made from</h2>
            \(ancestors)
            <h2>Made into</h2>
            \(descendants)
            """
    }
}

extension String {
    /// Percent-encoded for a URL path, slashes kept (LFNs are paths).
    var pathPercentEncoded: String {
        addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? self
    }
}

/// Percent-encoded as one query value (`/`, `&`, `=` and `+` included).
func queryEncoded(_ text: String) -> String {
    text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~"))) ?? text
}
