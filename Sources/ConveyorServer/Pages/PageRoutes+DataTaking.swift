import ConveyorCore
import ConveyorDataTaking
import ConveyorLive
import Foundation
import Hummingbird

/// The data-taking pages: the handshake's runs, one run's events, and the forms that stop
/// release (managers) or hold a run (shifters, role expert).
extension PageRoutes {
    struct PromptSwitchForm: Decodable {
        let action: String
        let run: String?
        let reason: String?
    }

    struct PromptDispositionForm: Decodable {
        let disposition: String
        let reason: String?
    }

    func registerDataTaking(on router: Router<ConveyorRequestContext>) {
        router.get("/data-taking") { _, context in
            let actor = try context.require(.viewer, to: "reading data taking")
            let live = LiveDataTaking(store: store)
            let streams = try await live.status(limit: 60)
            return HTMLResponse(
                page: DataTakingPage(status: streams.handshake, live: streams.configuration == nil && streams.streams.isEmpty ? nil : streams, actor: actor))
        }
        router.get("/data-taking/runs/{run}") { _, context in
            let actor = try context.require(.viewer, to: "reading a run's PromptReco")
            let run = try ExpRun(parsing: try context.parameters.require("run"))
            let detail = try await PromptReco(store: store).run(run)
            let live: LiveDataTaking.RunDetail?
            do { live = try await LiveDataTaking(store: store).run(run) } catch ConveyorError.notFound(_) { live = nil }
            return HTMLResponse(page: PromptRunPage(detail: detail, live: live, actor: actor))
        }
        router.post("/data-taking/switch") { request, context in
            let actor = try context.require(.manager, to: "stopping or resuming PromptReco")
            let body = try await request.body.collect(upTo: 16 * 1024)
            let form = try URLEncodedFormDecoder().decode(PromptSwitchForm.self, from: String(buffer: body))
            let run = form.run?.trimmingCharacters(in: .whitespaces) ?? ""
            let scope: PromptSwitch.Scope =
                run.isEmpty ? .global : run.hasPrefix("stream:") ? try PromptSwitch.Scope(parsing: run) : .run(try ExpRun(parsing: run))
            try await PromptReco(store: store).setSwitch(scope, stopped: form.action == "stop", reason: form.reason ?? "", by: actor)
            return Response.redirect(to: "/data-taking", type: .normal)
        }
        router.post("/data-taking/runs/{run}/disposition") { request, context in
            let actor = try context.require(.expert, to: "postponing or abandoning a run")
            let run = try ExpRun(parsing: try context.parameters.require("run"))
            let body = try await request.body.collect(upTo: 16 * 1024)
            let form = try URLEncodedFormDecoder().decode(PromptDispositionForm.self, from: String(buffer: body))
            try await PromptReco(store: store).setDisposition(
                of: run, to: try PromptRun.Disposition(parsing: form.disposition), reason: form.reason ?? "", by: actor)
            return Response.redirect(to: "/data-taking/runs/\(run)", type: .normal)
        }
    }
}
