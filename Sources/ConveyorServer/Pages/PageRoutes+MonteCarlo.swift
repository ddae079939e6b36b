import ConveyorCore
import ConveyorMonteCarlo
import Foundation
import Hummingbird

extension PageRoutes {
    /// MC production: the campaigns, a campaign's table, and one request.
    func registerMonteCarlo(on router: Router<ConveyorRequestContext>) {
        let production = MonteCarloProduction(store: store)
        router.get("/mc") { _, context in
            let actor = try context.require(.viewer, to: "reading MC campaigns")
            return HTMLResponse(page: MonteCarloCampaignsPage(campaigns: try await production.campaigns(), actor: actor))
        }
        router.get("/mc/{name}") { request, context in
            let actor = try context.require(.viewer, to: "reading MC campaigns")
            let only = try QueryParameters(request).string("state").map { try MonteCarloRequestState(parsing: $0) }
            return HTMLResponse(page: MonteCarloCampaignPage(report: try await production.campaign(try MonteCarloAPI.name(context)), only: only, actor: actor))
        }
        router.get("/mc/requests/{id}") { _, context in
            let actor = try context.require(.viewer, to: "reading MC requests")
            return HTMLResponse(page: MonteCarloRequestPage(detail: try await production.request(try MonteCarloAPI.id(context)), actor: actor))
        }
    }
}
