import ConveyorAccess
import ConveyorCore
import ConveyorServer
import ConveyorStore
import ConveyorTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting

/// A server over a fresh store, with one user of each role.
struct ServerFixture: Sendable {
    let store: Store
    let tokens: [Role: String]

    static func run<T>(
        _ backend: TestBackend = .sqlite,
        _ setup: TestingSetup = .router,
        anonymousRole: Role? = nil,
        directory: DirectoryConfiguration? = nil,
        floorRoutes: Bool = false,
        _ body: @Sendable (any TestClientProtocol, ServerFixture) async throws -> T
    ) async throws -> T {
        try await backend.withStore { store in
            let accounts = Accounts(store: store)
            var tokens: [Role: String] = [:]
            for role in Role.allCases {
                let (_, token) = try await accounts.addUser(named: "test-\(role)", role: role, by: .localOperator(named: "fixture"))
                tokens[role] = token.secret
            }
            let fixture = ServerFixture(store: store, tokens: tokens)
            var configuration = ServerConfiguration(host: "127.0.0.1", port: 0, anonymousRole: anonymousRole, directory: directory)
            configuration.floorRoutes = floorRoutes
            let app = ConveyorApplication.build(
                store: store,
                configuration: configuration,
                logger: TestBackend.quietLogger
            )
            return try await app.test(setup) { client in try await body(client, fixture) }
        }
    }

    func auth(_ role: Role) -> HTTPFields {
        [.authorization: "Bearer \(tokens[role]!)"]
    }

    /// A page session of the role's user, as signing in on /login starts one.
    func session(_ role: Role) async throws -> String {
        try await Accounts(store: store).startSession(token: tokens[role]!).sessionID
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    func json<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Data(buffer: body))
    }

    /// The parsed error body, or nil if the body is not the API's error shape.
    var apiError: APIErrorBody? { try? json(APIErrorBody.self) }
}

extension ByteBuffer {
    static func json(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
}
