import ArgumentParser
import ConveyorCore
import ConveyorRequests
import Foundation

/// What a request's jobs run. Not for people: the scheduler starts them as job elements.
extension RequestCommand {
    struct RunJob: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "job", abstract: "Run one job of a request (started by the scheduler).",
                                                        shouldDisplay: false)
        @OptionGroup var global: GlobalOptions
        @Argument var name: String
        @Argument var id: Int64

        func run() async throws {
            Output.line(try await global.withStore { store in try await RequestJobRunner(store: store).run(request: name, job: id) })
        }
    }

    struct Calibrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run one calibration of a request (started by the scheduler).", shouldDisplay: false)
        @OptionGroup var global: GlobalOptions
        @Argument var name: String
        @Argument var calibration: String

        func run() async throws {
            Output.line(try await global.withStore { store in try await CalibrationRunner(store: store).run(request: name, calibration: calibration) })
        }
    }

    struct Luminosity: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Measure a request's output luminosity (started by the scheduler).", shouldDisplay: false)
        @OptionGroup var global: GlobalOptions
        @Argument var name: String

        func run() async throws {
            let result = try await global.withStore { store in try await LuminosityStep(store: store).run(request: name) }
            Output.line(String(format: "runs: %.3f /pb", result.runs))
            for g in result.groups { Output.line(String(format: "%@ %@: %d files, %lld events, %.3f /pb", g.level.rawValue, g.dataTag ?? "all", g.files, g.events, g.luminosity)) }
        }
    }
}
