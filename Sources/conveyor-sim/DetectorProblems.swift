/// What goes wrong in a simulated run, so that the monitoring sees it in the data: from the
/// middle of every 7th run (3, 10, 17, …) the drift chamber's superlayer 4 trips (its hits
/// mostly gone, the hit times smeared); in every 11th (5, 16, …) calorimeter crate 12 is noisy
/// (a quarter of the events get a low-energy noise cluster there). Drawn from their own random
/// numbers, so the events of a healthy run are those it always had.
struct DetectorProblems {
    let hvTrip: Bool
    let noisyCrate: Bool

    static let trippedSuperlayer = 4
    static let noisyChannel = 12
    static let superlayers = 8

    init(run: Int) {
        hvTrip = run % 7 == 3
        noisyCrate = !hvTrip && run % 11 == 5
    }

    /// Sets the event's superlayer hits (98 % efficient each) and applies the run's problems;
    /// `index` of `events` says where in the run the event is.
    func apply(to event: inout RawEvent, index: Int, of events: Int, random: inout Random) {
        var pattern: UInt8 = 0
        for layer in 0..<Self.superlayers where random.uniform() < 0.98 { pattern |= 1 << layer }
        if hvTrip, index >= events / 2 {
            if random.uniform() < 0.9 { pattern &= ~(1 << (Self.trippedSuperlayer - 1)) }
            event.time += 1.0 * random.gaussian()
        }
        if noisyCrate, random.uniform() < 0.25 {
            event.channel1 = UInt8(Self.noisyChannel)
            event.adc1 = random.uniform(0.02, 0.4)
        }
        event.superlayers = pattern
    }

    /// The problems' random numbers for a run: a stream of their own.
    static func random(seed: UInt64, exp: Int, run: Int) -> Random {
        Random(seed: (seed ^ 0x5EED_D0C7_0B1E_5EED) &+ UInt64(exp) << 32 &+ UInt64(run))
    }
}
