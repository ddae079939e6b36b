import ConveyorCore
import ConveyorStore
import Testing

@Suite("Database locations")
struct StoreLocationTests {
    @Test func plainPathsAndSQLiteURLsAreSQLite() throws {
        #expect(try StoreLocation(parsing: "conveyor.sqlite") == .sqlite(path: "conveyor.sqlite"))
        #expect(try StoreLocation(parsing: "sqlite:///data/c.sqlite") == .sqlite(path: "/data/c.sqlite"))
        #expect(try StoreLocation(parsing: "sqlite:rel.sqlite") == .sqlite(path: "rel.sqlite"))
    }

    @Test func postgresURLsAreParsed() throws {
        guard case .postgres(let address) = try StoreLocation(parsing: "postgres://prod:s%40cret@db.example:6543/conveyor?sslmode=require") else {
            Issue.record("not parsed as PostgreSQL")
            return
        }
        #expect(address.host == "db.example")
        #expect(address.port == 6543)
        #expect(address.username == "prod")
        #expect(address.password == "s@cret")
        #expect(address.database == "conveyor")
        #expect(address.tls == .require)
        #expect(!address.description.contains("s@cret"))
    }

    @Test(arguments: ["postgres://nohost", "postgres://host:99999/db", "mysql://x/y", "postgres:/bad", "", "postgres://h/db?sslmode=maybe"])
    func malformedLocationsAreRefusedWithAReason(text: String) {
        #expect(throws: ConveyorError.self) { try StoreLocation(parsing: text) }
    }

    @Test func resolutionPrefersOptionThenEnvironmentThenDefault() throws {
        #expect(try StoreLocation.resolve(option: "a.sqlite", environment: ["CONVEYOR_DB": "b.sqlite"]) == .sqlite(path: "a.sqlite"))
        #expect(try StoreLocation.resolve(option: nil, environment: ["CONVEYOR_DB": "b.sqlite"]) == .sqlite(path: "b.sqlite"))
        #expect(try StoreLocation.resolve(option: nil, environment: [:]) == .sqlite(path: "conveyor.sqlite"))
    }
}
