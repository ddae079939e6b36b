import Foundation

/// The simulated detector and its physics: what is true for each run (constants that drift from
/// run to run) and what one event looks like.
enum Physics {
    static let channels = 16
    static let beamEnergy = 5.29
    static let resonanceMass = 3.097
    /// Relative calorimeter resolution, time resolution (ns), vertex resolution (cm).
    static let energyResolution = 0.02, timeResolution = 0.5, vertexResolution = 0.01

    /// Trigger bits, with the fraction of events that fire them (seed 002: bhabha ~6 %, …).
    enum Trigger: UInt8, CaseIterable {
        case bhabha = 1, gammaGamma = 2, hadron = 4, mumu = 8, random = 16, other = 32

        var name: String {
            switch self {
            case .bhabha: "bhabha"
            case .gammaGamma: "gamma_gamma"
            case .hadron: "hadron"
            case .mumu: "mumu"
            case .random: "random"
            case .other: "other"
            }
        }

        static let fractions: [(Trigger, Double)] = [(.bhabha, 0.06), (.gammaGamma, 0.01), (.hadron, 0.005), (.mumu, 0.0015), (.random, 0.01)]

        init?(named name: String) {
            guard let match = Trigger.allCases.first(where: { $0.name == name || "hlt_\($0.name)" == name }) else { return nil }
            self = match
        }
    }

    /// The true constants of a run: channel gains, the time offset, the beam spot.
    struct TrueConstants {
        let gains: [Double]
        let timeOffset: Double
        let beamSpot: (x: Double, y: Double)

        init(run: Int) {
            let r = Double(run)
            gains = (0..<Physics.channels).map { (c: Int) -> Double in
                let x = Double(c)
                let drift: Double = 0.06 * sin(0.7 * x + 0.35 * r)
                let spread: Double = 0.02 * cos(1.3 * x)
                return 1 + 0.04 + 0.015 * sin(0.5 * r) + drift + spread  // the whole calorimeter also drifts, a few per cent high
            }
            timeOffset = 1.5 + 0.08 * r
            beamSpot = (0.040 + 0.003 * sin(r), -0.020 + 0.002 * cos(r))
        }
    }

    /// Luminosity recorded with a run of this many events, /pb (proportional to the events).
    static func luminosity(events: Int) -> Double { Double(events) / 2_000 }
}
