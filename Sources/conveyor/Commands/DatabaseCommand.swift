import ArgumentParser
import ConveyorCore
import ConveyorStore

struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Create, migrate and inspect the database.",
        subcommands: [Migrate.self, Info.self]
    )

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply pending schema migrations (also done on every open).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        struct Report: Encodable {
            let applied: [MigrationInfo]
            let schemaVersion: Int
        }

        func run() async throws {
            try await global.withStore(migrate: false) { store in
                let applied = try await store.migrate()
                let version = try await store.migrationStatus().currentVersion
                if output.json { return try Output.json(Report(applied: applied, schemaVersion: version)) }
                for migration in applied { Output.line("applied \(migration.version): \(migration.name)") }
                Output.line(applied.isEmpty ? "schema is up to date at version \(version)" : "schema now at version \(version)")
            }
        }
    }

    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the backend, schema version and what the database holds.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await global.withStore { store in
                let summary = try await store.summary()
                if output.json { return try Output.json(summary) }
                Output.line("database: \(summary.location) (\(summary.backend.rawValue))")
                Output.line("schema version: \(summary.schemaVersion)")
                Output.table(["KIND", "COUNT"], summary.counts.map { [$0.kind, String($0.count)] }, rightAligned: [1])
            }
        }
    }
}
