import Foundation

/// A raw event as the detector reads it out: two clusters (channel and ADC), their opening angle,
/// a hit time, a vertex, and which of the drift chamber's 8 superlayers saw hits. 32 bytes.
struct RawEvent {
    var number: UInt32
    var triggers: UInt8
    var channel1: UInt8, channel2: UInt8
    /// Bit L−1 set: superlayer L had hits.
    var superlayers: UInt8 = 0
    var adc1: Double, adc2: Double
    var angle: Double
    var time: Double
    var vx: Double, vy: Double

    static let size = 32

    var record: [UInt8] {
        var w = RecordWriter()
        w.u32(number); w.u8(triggers); w.u8(channel1); w.u8(channel2); w.u8(superlayers)
        w.f32(adc1); w.f32(adc2); w.f32(angle); w.f32(time); w.f32(vx); w.f32(vy)
        return w.bytes
    }

    init(record: [UInt8]) {
        var r = RecordReader(record)
        number = r.u32(); triggers = r.u8(); channel1 = r.u8(); channel2 = r.u8(); superlayers = r.u8()
        adc1 = r.f32(); adc2 = r.f32(); angle = r.f32(); time = r.f32(); vx = r.f32(); vy = r.f32()
    }

    /// One event of a run, drawn with the run's true constants; `forcing` a kind of event
    /// instead of drawing it (MC of one event type).
    init(number: UInt32, truth: Physics.TrueConstants, random: inout Random, forcing forced: Physics.Trigger? = nil) {
        self.number = number
        var trigger = Physics.Trigger.other
        var x = random.uniform()
        for (candidate, fraction) in Physics.Trigger.fractions {
            if x < fraction { trigger = candidate; break }
            x -= fraction
        }
        if let forced { trigger = forced }
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
