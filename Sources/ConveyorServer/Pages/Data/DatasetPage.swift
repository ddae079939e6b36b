import ConveyorCore
import ConveyorDataManagement

/// `/datasets`: datasets and containers.
struct DatasetsPage: Page {
    let datasets: [Dataset]
    let actor: Actor?
    let title = "Datasets"

    var body: HTML {
        let rows = datasets.map { d -> HTML in
            "<tr><td><a href=\"/datasets/detail?name=\(queryEncoded(d.name))\">\(d.name)</a></td><td>\(d.kind.rawValue)</td><td class=\"num\">\(d.files)</td><td class=\"num\">\(ByteCount.describe(d.bytes))</td><td>\(d.createdBy)</td></tr>"
        }
        return
            "<table id=\"datasets\"><thead><tr><th>Name</th><th>Kind</th><th>Files</th><th>Bytes</th><th>Created by</th></tr></thead><tbody>\(rows)</tbody></table>"
    }
}

/// `/datasets/detail?name=`: a dataset's files with their copies, and the rules over it.
struct DatasetPage: Page {
    let detail: DataManagement.DatasetDetail
    let actor: Actor?
    var title: String { "\(detail.dataset.kind.rawValue.capitalized) \(detail.dataset.name)" }

    var body: HTML {
        let d = detail.dataset
        let perEndpoint = detail.replicasPerEndpoint.sorted { $0.key < $1.key }.map { name, count -> HTML in
            "<li>\(name): \(count) of \(d.files) files</li>"
        }
        let files = detail.files.map { f -> HTML in
            let copies = f.replicas.map { r -> HTML in "<span class=\"badge \(r.state.rawValue)\">\(r.site) \(r.storage.rawValue) \(r.state.rawValue)</span>" }
            return "<tr><td>\(f.lfn)</td><td class=\"num\">\(ByteCount.describe(f.size))</td><td>\(copies)</td></tr>"
        }
        let rules = detail.rules.map { r -> HTML in
            "<li><a href=\"/rules/\(r.id)\">rule \(r.id)</a>: \(r.state.rawValue), ×\(r.copies) on <code>\(r.expression)</code></li>"
        }
        let contained = detail.datasets.map { name -> HTML in "<li><a href=\"/datasets/detail?name=\(queryEncoded(name))\">\(name)</a></li>" }
        return """
            <p>\(d.files) files, \(ByteCount.describe(d.bytes)); created by \(d.createdBy) on \(String(d.createdAt.iso8601.prefix(10)))</p>
            \(contained.isEmpty ? "" : "<h2>Datasets</h2><ul>\(contained)</ul>")
            <h2>Copies per endpoint</h2><ul id="per-endpoint">\(perEndpoint)</ul>
            <h2>Rules</h2><ul id="dataset-rules">\(rules)</ul>
            <h2>Files</h2>
            <table id="dataset-files"><thead><tr><th>LFN</th><th>Size</th><th>Copies</th></tr></thead><tbody>\(files)</tbody></table>
            """
    }
}
