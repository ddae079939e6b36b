import ConveyorCore
import ConveyorPeople
import Hummingbird

/// Notes and problem reports over REST.
struct NotesAPI {
    let notes: Notes

    struct NoteBody: Decodable {
        let on: String
        let subject: String
        let kind: String?
        let text: String
    }

    struct ResolveBody: Decodable { let text: String }

    struct NoteList: ResponseEncodable {
        let notes: [Note]
    }

    static let subjectKinds = Note.Subject.Kind.allCases.map(\.rawValue)

    func register(on router: Router<ConveyorRequestContext>, book: APIBook) {
        router.add(
            APIOperation(
                method: .get, path: "/api/v1/notes", operationID: "getNotes", summary: "The notes and problem reports on a thing, oldest first",
                tag: "people", role: .viewer,
                parameters: [
                    .init(name: "on", location: .query, description: "What kind of thing", schema: .string(enumeration: Self.subjectKinds)),
                    .init(name: "subject", location: .query, description: "The thing: EXP:RUN, an LFN, a name, WORKFLOW/TASK", schema: .string()),
                ],
                response: .closedObject(properties: ["notes": .array(.ref("Note"))], required: ["notes"])
            ), in: book
        ) { request, _ in
            NoteList(notes: try await notes.notes(on: try Self.subject(QueryParameters(request).string("on"), QueryParameters(request).string("subject"))))
        }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/notes", operationID: "addNote",
                summary: "Attach a note to a thing, or report a problem on a run or file (kind problem)", tag: "people", role: .viewer,
                requestBody: .closedObject(
                    properties: [
                        "on": .string(enumeration: Self.subjectKinds), "subject": .string(), "kind": .string(enumeration: Note.Kind.allCases.map(\.rawValue)),
                        "text": .string(),
                    ], required: ["on", "subject", "text"]),
                response: .ref("Note")
            ), in: book
        ) { request, context in
            let body = try await request.decode(as: NoteBody.self, context: context)
            let kind = try body.kind.map { text throws(ConveyorError) in try Note.Kind(parsing: text) } ?? .note
            return try await notes.add(kind, on: try Self.subject(body.on, body.subject), text: body.text, by: context.actor!)
        }
        router.add(
            APIOperation(
                method: .post, path: "/api/v1/notes/{id}/resolve", operationID: "resolveNote", summary: "Resolve a problem report, saying what was done",
                tag: "people", role: .expert,
                parameters: [.init(name: "id", location: .path, description: "The problem report's id", schema: .integer)],
                requestBody: .closedObject(properties: ["text": .string()], required: ["text"]),
                response: .ref("Note")
            ), in: book
        ) { request, context in
            let body = try await request.decode(as: ResolveBody.self, context: context)
            guard let id = context.parameters.get("id").flatMap(Int64.init) else { throw ConveyorError.invalidInput("the note id is a whole number") }
            return try await notes.resolve(id, resolution: body.text, by: context.actor!)
        }
    }

    static func subject(_ kind: String?, _ name: String?) throws(ConveyorError) -> Note.Subject {
        guard let kind, let name else { throw .invalidInput("say what the note is on: ?on=run&subject=8:12") }
        return try Note.Subject(kind: try Note.Subject.Kind(parsing: kind), text: name)
    }
}

extension Note: ResponseEncodable {}
