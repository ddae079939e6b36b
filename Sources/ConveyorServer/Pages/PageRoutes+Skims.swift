import ConveyorCore
import ConveyorSkims
import Foundation
import Hummingbird

extension PageRoutes {
    /// Skim and stripping rounds: the list, and a round with its selections, overlaps and streams.
    func registerSkims(on router: Router<ConveyorRequestContext>) {
        let rounds = StrippingRounds(store: store)
        router.get("/rounds") { _, context in
            let actor = try context.require(.viewer, to: "reading rounds")
            return HTMLResponse(page: RoundsPage(rounds: try await rounds.rounds(), actor: actor))
        }
        router.get("/rounds/{name}") { _, context in
            let actor = try context.require(.viewer, to: "reading rounds")
            let name = try RoundsAPI.name(context)
            let report = try await rounds.report(name)
            // From the report already read, not a second read of every test's kept events.
            let overlaps = StrippingRounds.overlaps(of: report)
            return HTMLResponse(page: RoundPage(report: report, overlaps: overlaps, actor: actor))
        }
    }
}
