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
                return 1 + 0.04 + 0.015 * sin(0.5 * r) + drift + spread   // the whole calorimeter also drifts, a few per cent high
            }
            timeOffset = 1.5 + 0.08 * r
            beamSpot = (0.040 + 0.003 * sin(r), -0.020 + 0.002 * cos(r))
        }
    }

    /// Luminosity recorded with a run of this many events, /pb (proportional to the events).
    static func luminosity(events: Int) -> Double { Double(events) / 2_000 }
}

/// SplitMix64: small, fast and reproducible from a seed.
struct Random {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * uniform() }
    mutating func gaussian() -> Double {
        let u = max(uniform(), 1e-300), v = uniform()
        return sqrt(-2 * log(u)) * cos(2 * .pi * v)
    }
    mutating func channel() -> Int { Int(next() % UInt64(Physics.channels)) }
}

/// A raw event as the detector reads it out: two clusters (channel and ADC), their opening angle,
/// a hit time and a vertex. 32 bytes.
struct RawEvent {
    var number: UInt32
    var triggers: UInt8
    var channel1: UInt8, channel2: UInt8
    var adc1: Double, adc2: Double
    var angle: Double
    var time: Double
    var vx: Double, vy: Double

    static let size = 32

    var record: [UInt8] {
        var w = RecordWriter()
        w.u32(number); w.u8(triggers); w.u8(channel1); w.u8(channel2); w.u8(0)
        w.f32(adc1); w.f32(adc2); w.f32(angle); w.f32(time); w.f32(vx); w.f32(vy)
        return w.bytes
    }

    init(record: [UInt8]) {
        var r = RecordReader(record)
        number = r.u32(); triggers = r.u8(); channel1 = r.u8(); channel2 = r.u8(); _ = r.u8()
        adc1 = r.f32(); adc2 = r.f32(); angle = r.f32(); time = r.f32(); vx = r.f32(); vy = r.f32()
    }

    /// One event of a run, drawn with the run's true constants.
    init(number: UInt32, truth: Physics.TrueConstants, random: inout Random) {
        self.number = number
        var trigger = Physics.Trigger.other
        var x = random.uniform()
        for (candidate, fraction) in Physics.Trigger.fractions {
            if x < fraction { trigger = candidate; break }
            x -= fraction
        }
        triggers = trigger.rawValue
        var e1: Double, e2: Double, angle: Double
        switch trigger {
        case .bhabha, .gammaGamma:
            (e1, e2, angle) = (Physics.beamEnergy, Physics.beamEnergy, .pi - abs(random.gaussian()) * 0.02)
        case .hadron:
            e1 = random.uniform(1.6, 4.0)
            e2 = random.uniform(max(1.6, 2.5 / e1 + 0.1), 4.0)
            angle = acos(max(-1, 1 - Physics.resonanceMass * Physics.resonanceMass / (2 * e1 * e2)))
        case .mumu:
            (e1, e2, angle) = (0.2, 0.2, .pi)
        case .random, .other:
            (e1, e2, angle) = (random.uniform(0.05, 2), random.uniform(0.05, 2), random.uniform(0.3, .pi))
        }
        let c1 = random.channel(), c2 = random.channel()
        channel1 = UInt8(c1); channel2 = UInt8(c2)
        adc1 = e1 * truth.gains[c1] * (1 + Physics.energyResolution * random.gaussian())
        adc2 = e2 * truth.gains[c2] * (1 + Physics.energyResolution * random.gaussian())
        self.angle = angle
        time = truth.timeOffset + Physics.timeResolution * random.gaussian()
        vx = truth.beamSpot.x + Physics.vertexResolution * random.gaussian()
        vy = truth.beamSpot.y + Physics.vertexResolution * random.gaussian()
    }
}

/// A reconstructed event: energies, the pair's invariant mass, the corrected time and the vertex
/// (raw, and relative to the beam spot). cDST keeps all; mDST drops the energies. 32 / 24 bytes.
struct RecoEvent {
    var number: UInt32
    var triggers: UInt8
    var e1: Double, e2: Double
    var mass: Double
    var time: Double
    var vx: Double, vy: Double

    static let cdstSize = 32, mdstSize = 24

    func record(_ level: EventFile.Level) -> [UInt8] {
        var w = RecordWriter()
        w.u32(number); w.u8(triggers); w.u8(0); w.u8(0); w.u8(0)
        if level == .cdst { w.f32(e1); w.f32(e2) }
        w.f32(mass); w.f32(time); w.f32(vx); w.f32(vy)
        return w.bytes
    }

    init(record: [UInt8], level: EventFile.Level) {
        var r = RecordReader(record)
        number = r.u32(); triggers = r.u8(); _ = r.u8(); _ = r.u8(); _ = r.u8()
        if level == .cdst { e1 = r.f32(); e2 = r.f32() } else { (e1, e2) = (0, 0) }
        mass = r.f32(); time = r.f32(); vx = r.f32(); vy = r.f32()
    }

    /// Reconstructs a raw event with a set of constants.
    init(_ raw: RawEvent, constants: Constants) {
        number = raw.number
        triggers = raw.triggers
        e1 = raw.adc1 / constants.gains[Int(raw.channel1)]
        e2 = raw.adc2 / constants.gains[Int(raw.channel2)]
        mass = sqrt(max(0, 2 * e1 * e2 * (1 - cos(raw.angle))))
        time = raw.time - constants.timeOffset
        vx = raw.vx
        vy = raw.vy
    }
}
