import ConveyorCore
import Testing

@Suite("Roles")
struct RoleTests {
    @Test func rolesAreOrderedFromViewerToAdmin() {
        #expect(Role.viewer < .expert && Role.expert < .manager && Role.manager < .admin)
        #expect(Role.admin.satisfies(.viewer))
        #expect(Role.manager.satisfies(.expert))
        #expect(!Role.expert.satisfies(.manager))
        #expect(!Role.viewer.satisfies(.expert))
    }

    @Test func parsingIsCaseInsensitiveAndRefusesUnknownRoles() throws {
        #expect(try Role(parsing: "Manager") == .manager)
        #expect(throws: ConveyorError.invalidInput("unknown role 'god' (expected one of: viewer, expert, manager, admin)")) {
            try Role(parsing: "god")
        }
    }

    @Test func actorsBelowTheRequiredRoleAreForbidden() throws {
        let expert = Actor(name: "alice", role: .expert)
        try expert.require(.expert, to: "uploading")
        #expect(throws: ConveyorError.self) { try expert.require(.manager, to: "publishing") }
        #expect(Actor.localOperator(named: "root").name == "local:root")
        #expect(Actor.localOperator(named: "root").role == .admin)
    }

    @Test(arguments: ["", String(repeating: "a", count: 65), "bad name", "x;y", "local:root"])
    func badUserNamesAreRefused(name: String) {
        #expect(throws: ConveyorError.self) { try User.validate(name: name) }
    }

    @Test(arguments: ["alice", "calib.expert-01", "bob@kek"])
    func goodUserNamesPass(name: String) throws {
        try User.validate(name: name)
    }
}
