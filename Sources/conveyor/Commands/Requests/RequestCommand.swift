import ArgumentParser
import ConveyorCore
import ConveyorWorkflow
import Foundation

struct RequestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request",
        abstract: "Processing requests: the one configuration a bucket's calibration and processing are made from.",
        subcommands: [Schema.self, Validate.self]
    )

    struct Schema: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the JSON Schema of a request file.")

        func run() async throws {
            FileHandle.standardOutput.write(Data(RequestSchema.document(for: ProcessingRequest.fields, title: "Conveyor processing request").utf8))
        }
    }

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check a request file (YAML or JSON); errors name the file and the key path.")
        @OptionGroup var output: OutputOptions
        @Argument(help: "The request file.") var file: String

        func run() async throws {
            let request = try ProcessingRequest(configuration: try ConfigurationFile.read(try GlobalOptions.read(file), name: file))
            if output.json { return try Output.json(request) }
            let scope = request.bucket.map { "bucket \($0)" } ?? "runs \(request.runs ?? "")"
            Output.line("\(file): a valid \(request.campaign) request '\(request.name)' over \(scope): \(request.calibrations.count) calibration(s), "
                        + "outputs \(request.outputs.map(\.rawValue).joined(separator: ", ")), tags \(request.globalTags.joined(separator: " > "))")
        }
    }
}
