import ArgumentParser
import ConveyorCore
import ConveyorWorkflow
import Foundation

/// `--people FILE` (or `CONVEYOR_PEOPLE`): the lab directory people sign in with and the
/// notification settings; without it, sign-in is by token and nobody is notified.
struct PeopleOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The people configuration (YAML or JSON): directory sign-in and notifications.", valueName: "file"))
    var people: String?

    func load() throws(ConveyorError) -> PeopleConfiguration? {
        guard let path = people ?? ProcessInfo.processInfo.environment["CONVEYOR_PEOPLE"], !path.isEmpty else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else { throw .invalidInput("cannot read the people configuration \(path)") }
        return try PeopleConfiguration(configuration: try ConfigurationFile.read(data, name: path))
    }
}
