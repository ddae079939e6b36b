import ConveyorAccess
import ConveyorCore
import ConveyorPeople
import Foundation
import HTTPTypes
import Hummingbird

extension PageRoutes {
    struct NoteForm: Decodable {
        let on: String
        let subject: String
        let kind: String?
        let text: String?
    }

    /// A thing's page with its notes below.
    func noted<P: Page>(_ page: P, _ kind: Note.Subject.Kind, _ name: String) async throws -> NotedPage<P> {
        let subject = try Note.Subject(kind: kind, text: name)
        return NotedPage(inner: page, subject: subject, notes: try await Notes(store: store).notes(on: subject))
    }

    /// The inbox and its preferences, the admin's notifications page, and notes on things.
    func registerPeople(on router: Router<ConveyorRequestContext>) {
        router.get("/inbox") { _, context in
            let actor = try context.require(.viewer, to: "reading the inbox")
            let items = try await Inbox(store: store).items(for: actor)
            let preferences = try await Notifications(store: store).preferences(of: actor.name, by: actor)
            return HTMLResponse(page: InboxPage(items: items, actor: actor, now: .now, preferences: preferences, saved: false))
        }
        router.post("/inbox/preferences") { request, context in
            let actor = try context.require(.viewer, to: "setting notification preferences")
            let form = String(buffer: try await request.body.collect(upTo: 16 * 1024))
            let ticked = Set(form.split(separator: "&").compactMap { pair -> String? in pair.hasSuffix("=on") ? String(pair.dropLast(3)) : nil })
            let preferences = NotificationPreferences(
                email: ticked.contains("email"), chat: ticked.contains("chat"), digest: ticked.contains("digest"),
                kinds: NotificationEvent.Kind.allCases.filter { ticked.contains("kind_\($0.rawValue)") })
            let notifications = Notifications(store: store)
            try await notifications.setPreferences(preferences, of: actor.name, by: actor)
            let items = try await Inbox(store: store).items(for: actor)
            return HTMLResponse(page: InboxPage(items: items, actor: actor, now: .now, preferences: preferences, saved: true))
        }
        router.get("/notifications") { request, context in
            let actor = try context.require(.admin, to: "reading the notification outbox")
            let state = try QueryParameters(request).string("state").map { text throws(ConveyorError) in try NotificationMessage.State(parsing: text) }
            let outbox = try await Notifications(store: store).outbox(state: state, limit: 300, by: actor)
            return HTMLResponse(page: NotificationsPage(outbox: outbox, directory: directory, actor: actor))
        }
        router.post("/notes") { request, context in
            let actor = try context.require(.viewer, to: "writing a note")
            let form = try URLEncodedFormDecoder().decode(NoteForm.self, from: String(buffer: try await request.body.collect(upTo: 64 * 1024)))
            let subject = try Note.Subject(kind: try Note.Subject.Kind(parsing: form.on), text: form.subject)
            try await Notes(store: store).add(form.kind == "problem" ? .problem : .note, on: subject, text: form.text ?? "", by: actor)
            return Response.redirect(to: subject.link + "#notes", type: .normal)
        }
    }
}
