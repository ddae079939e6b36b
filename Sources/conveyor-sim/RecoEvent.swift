import Foundation

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
