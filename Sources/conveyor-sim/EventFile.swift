import Foundation

/// The simulated experiment's file format: a 32-byte header, fixed-size little-endian records,
/// and an 8-byte FNV-1a checksum of header and records, so that a truncated or altered file is
/// refused on reading.
///
/// Header: magic `CVYSIM01`, level (0 raw, 1 cdst, 2 mdst, 3 udst), 3 reserved bytes, exp,
/// run, record count and record size as UInt32, 4 reserved bytes.
struct EventFile {
    enum Level: UInt8 { case raw = 0, cdst, mdst, udst }

    static let magic = Array("CVYSIM01".utf8)

    var level: Level
    var exp: UInt32
    var run: UInt32
    var records: [[UInt8]]
    var recordSize: Int

    func encoded() -> Data {
        var bytes = Self.magic
        bytes.append(level.rawValue)
        bytes += [0, 0, 0]
        for value in [exp, run, UInt32(records.count), UInt32(recordSize)] { bytes += value.littleEndianBytes }
        bytes += [0, 0, 0, 0]
        for record in records {
            precondition(record.count == recordSize, "record of \(record.count) bytes in a file of \(recordSize)-byte records")
            bytes += record
        }
        bytes += FNV.hash(bytes).littleEndianBytes
        return Data(bytes)
    }

    static func read(_ path: String) throws -> EventFile {
        guard let data = FileManager.default.contents(atPath: path) else { throw SimulationError("cannot read \(path)") }
        let bytes = [UInt8](data)
        guard bytes.count >= 40, Array(bytes[0..<8]) == magic else { throw SimulationError("\(path) is not a simulated-experiment file") }
        let body = bytes[0..<(bytes.count - 8)]
        guard FNV.hash(Array(body)) == UInt64(littleEndianBytes: bytes[(bytes.count - 8)...]) else { throw SimulationError("\(path): checksum mismatch") }
        guard let level = Level(rawValue: bytes[8]) else { throw SimulationError("\(path): unknown level \(bytes[8])") }
        let count = Int(UInt32(littleEndianBytes: bytes[20..<24])), size = Int(UInt32(littleEndianBytes: bytes[24..<28]))
        guard 32 + count * size + 8 == bytes.count else { throw SimulationError("\(path): \(count) records of \(size) bytes do not fill the file") }
        let records = (0..<count).map { Array(bytes[(32 + $0 * size)..<(32 + ($0 + 1) * size)]) }
        return EventFile(
            level: level, exp: UInt32(littleEndianBytes: bytes[12..<16]), run: UInt32(littleEndianBytes: bytes[16..<20]),
            records: records, recordSize: size)
    }

    func write(to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        try encoded().write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
