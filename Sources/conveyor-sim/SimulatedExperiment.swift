import ArgumentParser
import Foundation

/// A simulated experiment for trying Conveyor: the programs a real experiment would run as jobs
/// (raw-data generation, HLT skims, reconstruction, calibration algorithms, a quality step,
/// physics skims), run by Conveyor exactly as it runs a real experiment's software. It reads its
/// constants from the payload files Conveyor exports for a job (`$CONVEYOR_CONDITIONS`) and takes
/// its inputs and outputs from the `CONVEYOR_*` variables; every option can also be given by hand.
@main
struct SimulatedExperiment: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conveyor-sim",
        abstract: "A simulated particle-physics experiment for Conveyor's demo and tests.",
        subcommands: [
            Generate.self, DAQ.self, HLTSkim.self, Reconstruct.self, Skim.self, Calibrate.self, Quality.self, Monitor.self, Masses.self, Select.self,
            Strip.self, MonteCarloGeneration.self,
        ]
    )
}
