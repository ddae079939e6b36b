import ArgumentParser
import ConveyorCore
import ConveyorRequests
import Foundation

/// A request's jobs and central steps, run by hand: the scheduler describes and accounts its
/// jobs itself and runs calibrations and the luminosity account as action steps.
extension RequestCommand {
    struct RunJob: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "job", abstract: "Run one job of a request here: describe, run, account.",
            shouldDisplay: false)
        @OptionGroup var global: GlobalOptions
        @Argument var name: String
        @Argument var id: Int64

        func run() async throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("conveyor-job-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let verdict = try await global.withStore { store in try await RequestJobAccountant(store: store).runHere(request: name, job: id, folder: folder) }
            guard verdict.succeeded else { throw ConveyorError.conflict(verdict.detail) }
            Output.line(verdict.detail)
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
            for line in result.lines { Output.line(line) }
        }
    }
}
