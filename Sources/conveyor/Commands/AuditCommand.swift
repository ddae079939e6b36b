import ArgumentParser
import ConveyorAccess
import ConveyorCore

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Show the append-only audit log, newest first."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Option(help: "Only entries at or after this time (ISO 8601, e.g. 2026-11-22 or 2026-11-22T10:00:00Z).") var since: String?
    @Option(help: "Only entries by this actor.") var actor: String?
    @Option(help: "At most this many entries.") var limit: Int = 100

    func run() async throws {
        let since = try GlobalOptions.timestamp(since)
        try await global.withStore { store in
            let entries = try await AuditLog(store: store).entries(since: since, actor: actor, limit: limit)
            if output.json { return try Output.json(AuditList(entries: entries)) }
            Output.table(
                ["WHEN (UTC)", "WHO", "ACTION", "SUBJECT", "DETAIL"],
                entries.map { [$0.at.short, $0.actor, $0.action, "\($0.subjectKind) \($0.subject)", $0.detail] }
            )
        }
    }
}
