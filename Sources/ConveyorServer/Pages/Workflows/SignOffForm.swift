import ConveyorCore

/// Approve and reject buttons for a task waiting for sign-off, for a user holding its role
/// (others see who it waits for). Posts to the workflow's sign-off route; `next` brings the
/// user back to the page the form was on.
struct SignOffForm: Decodable {
    let decision: String
    let comment: String?
    let next: String?

    static func render(_ task: WorkflowTask, actor: Actor?, returnTo: String? = nil) -> HTML {
        let role = task.definition.role ?? .manager
        guard let actor, actor.role >= role else {
            return "<p class=\"signoff\"><b>\(task.name)</b> waits for someone with role \(role.rawValue).</p>"
        }
        return """
            <form class="signoff" method="post" action="/workflows/\(task.workflowID)/tasks/\(task.name)/signoff">
            <b>\(task.name)</b> \(returnTo.map { HTML(unsafe: "<input type=\"hidden\" name=\"next\" value=\"\(HTML.escape($0))\">") } ?? "")<input type="text" name="comment" placeholder="What you checked, or why you reject">
            <button name="decision" value="approve">Approve</button> <button name="decision" value="reject" class="reject">Reject</button>
            </form>
            """
    }
}
