import ArgumentParser
import ConveyorCore
import Foundation

/// `conveyor`: the command line of Conveyor.
@main
struct Conveyor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conveyor",
        abstract: "Data production for particle-physics experiments: runs, conditions, workflows, requests.",
        discussion: """
            The database is --db, else $CONVEYOR_DB, else conveyor.sqlite in the working directory.
            Commands acting on the database directly act as the local operating-system user with admin rights.
            Exit codes: 0 success, 1 refused or failed (the reason is on stderr), 3 database unavailable, 64 usage error.
            """,
        version: "0.1.0",
        subcommands: [
            DatabaseCommand.self, UserCommand.self, DirectoryCommand.self, AuditCommand.self, InboxCommand.self, NotifyCommand.self, NoteCommand.self,
            QMCommand.self, SelectionCommand.self, RoundCommand.self, MonteCarloCommand.self,
            ReportCommand.self,
            GlobalTagCommand.self,
            PayloadCommand.self,
            IoVCommand.self,
            RunsCommand.self,
            ExperimentCommand.self, GoodRunsCommand.self, FilesCommand.self, SearchCommand.self, BucketCommand.self, WorkflowCommand.self, TaskCommand.self,
            PoolCommand.self, SchedulerCommand.self, RequestCommand.self, SiteCommand.self, DatasetCommand.self, RuleCommand.self, DMCommand.self,
            PromptCommand.self, FCSRCommand.self, DAQCommand.self, LiveCommand.self,
            ServeCommand.self, DemoCommand.self,
        ]
    )

    @OptionGroup var global: GlobalOptions

    /// Runs the command, turning every ``ConveyorError`` into one line on stderr and an exit code.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as ConveyorError {
            FileHandle.standardError.write(Data("conveyor: \(error.message)\n".utf8))
            Foundation.exit(error.exitCode)
        } catch {
            exit(withError: error)
        }
    }
}

extension ConveyorError {
    var exitCode: Int32 {
        switch self {
        case .unavailable: 3
        default: 1
        }
    }
}
