import ConveyorCore
import ConveyorPeople
import Hummingbird

/// The caller's inbox over REST: what waits for them, oldest first.
struct InboxAPI {
    let inbox: Inbox

    struct Items: ResponseEncodable {
        let items: [InboxItem]
    }

    func register(on router: Router<ConveyorRequestContext>, book: APIBook) {
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/inbox", operationID: "getInbox",
                summary: "What waits for the caller (by name or role), oldest first: sign-offs, paused tasks, failed requests, postponed runs, runs to certify",
                tag: "people", role: .viewer,
                response: .closedObject(properties: ["items": .array(.ref("InboxItem"))], required: ["items"])
            ), in: book
        ) { _, context in
            Items(items: try await inbox.items(for: context.actor ?? Actor(name: "anonymous", role: .viewer)))
        }
    }
}
