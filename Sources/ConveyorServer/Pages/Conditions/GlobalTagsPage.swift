import ConveyorCore

/// `/globaltags`: every tag, filtered by name and state.
struct GlobalTagsPage: Page {
    let tags: [GlobalTag]
    let nameFilter: String
    let stateFilter: GlobalTagState?
    let actor: Actor?
    let title = "Global tags"

    var body: HTML {
        let options =
            ([HTML("<option value=\"\">any state</option>")]
                + GlobalTagState.allCases.map { state -> HTML in
                    "<option value=\"\(state.rawValue)\"\(HTML(unsafe: state == stateFilter ? " selected" : ""))>\(state.rawValue)</option>"
                })
        let rows = tags.map { tag -> HTML in
            "<tr><td><a href=\"/globaltags/\(tag.name.urlPathEncoded)\">\(tag.name)</a></td><td><span class=\"state state-\(tag.state.rawValue.lowercased())\">\(tag.state.rawValue)</span></td><td>\(tag.type.rawValue)</td><td>\(tag.createdAt.iso8601.prefix(10))</td><td>\(tag.createdBy)</td><td>\(tag.description)</td></tr>"
        }
        return """
            <form method="get" action="/globaltags" class="filters">
            <input type="text" name="name" value="\(nameFilter)" placeholder="name contains">
            <select name="state">\(options)</select>
            <input type="submit" value="Filter">
            </form>
            <table id="globaltags"><thead><tr><th>Name</th><th>State</th><th>Type</th><th>Created</th><th>By</th><th>Description</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            <p class="muted">\(tags.count) tag(s). Compare two tags at <code>/globaltags/A/diff/B</code>.</p>
            """
    }
}

extension String {
    /// Safe inside a URL path segment.
    var urlPathEncoded: String {
        addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(.init(charactersIn: "/"))) ?? self
    }
}
