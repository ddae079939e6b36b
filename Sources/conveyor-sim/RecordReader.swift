import Foundation

struct RecordReader {
    let bytes: [UInt8]
    var at = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    mutating func u32() -> UInt32 { defer { at += 4 }; return UInt32(littleEndianBytes: bytes[at..<(at + 4)]) }
    mutating func u8() -> UInt8 { defer { at += 1 }; return bytes[at] }
    mutating func f32() -> Double { defer { at += 4 }; return Double(Float(bitPattern: UInt32(littleEndianBytes: bytes[at..<(at + 4)]))) }
}
