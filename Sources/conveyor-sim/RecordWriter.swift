import Foundation

/// Writes and reads the Float32 fields of a record.
struct RecordWriter {
    var bytes: [UInt8] = []
    mutating func u32(_ v: UInt32) { bytes += v.littleEndianBytes }
    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func f32(_ v: Double) { bytes += Float(v).bitPattern.littleEndianBytes }
}
