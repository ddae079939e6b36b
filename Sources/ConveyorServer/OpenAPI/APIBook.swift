import ConveyorCore
import Hummingbird
import NIOConcurrencyHelpers

/// Collects the ``APIOperation``s registered on the router, for the OpenAPI document.
final class APIBook: Sendable {
    private let entries = NIOLockedValueBox<[APIOperation]>([])
    private let schemaEntries = NIOLockedValueBox<[String: JSONSchema]>([:])

    var operations: [APIOperation] { entries.withLockedValue { $0 } }
    var schemas: [String: JSONSchema] { schemaEntries.withLockedValue { $0 } }

    func record(_ operation: APIOperation) {
        entries.withLockedValue { $0.append(operation) }
    }

    /// Names a reusable schema under `components/schemas`.
    func define(_ name: String, _ schema: JSONSchema) {
        schemaEntries.withLockedValue { $0[name] = schema }
    }
}

extension Router where Context == ConveyorRequestContext {
    /// Adds a documented endpoint. The role named in `operation` is checked before `handler` runs.
    func add<Output: ResponseGenerator>(
        _ operation: APIOperation,
        in book: APIBook,
        handler: @escaping @Sendable (Request, ConveyorRequestContext) async throws -> Output
    ) {
        book.record(operation)
        let role = operation.role
        let summary = operation.summary
        on(RouterPath(operation.path), method: operation.method) { request, context in
            if let role { _ = try context.require(role, to: summary.lowercasedFirst) }
            return try await handler(request, context)
        }
    }
}

extension String {
    var lowercasedFirst: String { prefix(1).lowercased() + dropFirst() }
}
