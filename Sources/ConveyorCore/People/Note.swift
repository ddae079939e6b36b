import Foundation

/// A note someone attached to a thing (a run, a file, a request, a global tag, a task), or a
/// problem they report on a run or file: the problem waits in the inbox of the people who
/// certify runs until someone resolves it.
///
/// ```swift
/// let subject = try Note.Subject(kind: .run, text: "8:12")        // normalised "8:12"
/// Note(id: 0, subject: subject, kind: .problem, author: "carol", at: .now, text: "ECL crate 3 noisy from 02:10")
/// ```
public struct Note: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable, NamedValueSet {
        public static let valueKind = "note kind"
        public static let isUppercase = false
        case note
        case problem
    }

    /// What a note is about.
    public struct Subject: Codable, Sendable, Hashable {
        public enum Kind: String, Codable, Sendable, CaseIterable, NamedValueSet {
            public static let valueKind = "note subject"
            public static let isUppercase = false
            case run
            case file
            case request
            case tag
            case task
        }

        public var kind: Kind
        /// The thing's name as Conveyor writes it: `8:12`, an LFN, a request or tag name, `WORKFLOW/TASK`.
        public var name: String

        /// Reads and normalises a subject. - Throws: ``ConveyorError/invalidInput(_:)`` with the expected shape.
        public init(kind: Kind, text: String) throws(ConveyorError) {
            let text = text.trimmingCharacters(in: .whitespaces)
            self.kind = kind
            switch kind {
            case .run:
                name = try ExpRun(parsing: text).description
            case .file:
                guard text.hasPrefix("/"), text.count <= 1024, !text.contains("\n") else { throw .invalidInput("a file is named by its LFN, /…") }
                name = text
            case .request, .tag:
                guard !text.isEmpty, text.count <= 200, text.allSatisfy({ !$0.isWhitespace && !$0.isNewline }) else {
                    throw .invalidInput("a \(kind.rawValue) is named by its name, without spaces")
                }
                name = text
            case .task:
                let parts = text.split(separator: "/", maxSplits: 1)
                guard parts.count == 2, Int64(parts[0]) != nil, !parts[1].isEmpty else {
                    throw .invalidInput("a task is named WORKFLOW/TASK, e.g. 7/signoff:cdc")
                }
                name = text
            }
        }

        /// A subject read back from the store, as it was checked when written.
        public init(storedKind kind: Kind, name: String) {
            self.kind = kind
            self.name = name
        }

        /// The page the thing is shown on, where its notes are.
        public var link: String {
            switch kind {
            case .run:
                let run = (try? ExpRun(parsing: name)) ?? ExpRun(exp: 0, run: 0)
                return "/runs/\(run.exp)/\(run.run)"
            case .file: return "/files\(name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? name)"
            case .request: return "/requests/\(name)"
            case .tag: return "/globaltags/\(name)"
            case .task:
                let parts = name.split(separator: "/", maxSplits: 1).map(String.init)
                return "/workflows/\(parts[0])/tasks/\((parts.last ?? "").addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? "")"
            }
        }
    }

    public var id: Int64
    public var subject: Subject
    public var kind: Kind
    public var author: String
    public var at: Timestamp
    public var text: String
    public var resolvedAt: Timestamp?
    public var resolvedBy: String?
    public var resolution: String?

    public init(
        id: Int64, subject: Subject, kind: Kind, author: String, at: Timestamp, text: String, resolvedAt: Timestamp? = nil, resolvedBy: String? = nil,
        resolution: String? = nil
    ) {
        self.id = id
        self.subject = subject
        self.kind = kind
        self.author = author
        self.at = at
        self.text = text
        self.resolvedAt = resolvedAt
        self.resolvedBy = resolvedBy
        self.resolution = resolution
    }

    /// Checks a note's text: 1 to 4000 characters.
    public static func validate(text: String) throws(ConveyorError) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .invalidInput("say something: the note is empty") }
        guard trimmed.count <= 4_000 else { throw .invalidInput("a note holds at most 4000 characters (this one \(trimmed.count))") }
        return trimmed
    }
}
