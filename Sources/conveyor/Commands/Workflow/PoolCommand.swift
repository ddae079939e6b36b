import ArgumentParser
import ConveyorCore
import ConveyorWorkflow

struct PoolCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pool",
        abstract: "Slot pools: where job tasks run, with how many slots, through which executor.",
        subcommands: [Add.self, List.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a pool or change one (role manager).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The pool's name (tasks name it with pool:).") var name: String
        @Option(help: "local, slurm, htcondor or lsf.") var executor: String
        @Option(help: "The most job elements in flight at once.") var slots: Int
        @Option(
            name: .customLong("option"),
            help:
                "KEY=VALUE executor settings (repeatable): partition, account, queue, project, directory, max_array_size, commands, file_transfer, job_runner, conditions (files or http), conditions_url, conditions_proxy, job_token_hours."
        )
        var options: [String] = []

        func run() async throws {
            var settings: [String: String] = [:]
            for option in options {
                let parts = option.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, !parts[0].isEmpty else { throw ConveyorError.invalidInput("--option takes KEY=VALUE, not '\(option)'") }
                settings[String(parts[0])] = String(parts[1])
            }
            let pool = try Pool(name: name, executor: try ExecutorKind(parsing: executor), slots: slots, options: settings)
            try await global.withStore { store in try await Workflows(store: store).savePool(pool, by: .currentLocalOperator) }
            Output.line("pool \(pool.name): \(pool.executor), \(pool.slots) slots")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List pools.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let pools = try await global.withStore { store in try await Workflows(store: store).pools() }
            if output.json { return try Output.json(pools) }
            Output.table(
                ["POOL", "EXECUTOR", "SLOTS", "OPTIONS"],
                pools.map { pool in
                    [
                        pool.name, pool.executor.rawValue, String(pool.slots),
                        pool.options.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "),
                    ]
                }, rightAligned: [2])
        }
    }
}
