import Foundation

/// The constants reconstruction uses, read from payload files as Conveyor exports them
/// (`$CONVEYOR_CONDITIONS/<payload name>`): `ECLGains` (16 numbers), `CDCT0` (one), `BeamSpot`
/// (x y). A missing payload means nominal values.
struct Constants {
    var gains = [Double](repeating: 1, count: Physics.channels)
    var timeOffset = 0.0
    var beamSpot = (x: 0.0, y: 0.0)

    static let names = ["ECLGains", "CDCT0", "BeamSpot"]

    init() {}

    init(directory: String?) throws {
        guard let directory else { return }
        if let numbers = try Self.numbers(directory, "ECLGains") {
            guard numbers.count == Physics.channels else { throw SimulationError("ECLGains holds \(numbers.count) numbers, not \(Physics.channels)") }
            gains = numbers
        }
        if let numbers = try Self.numbers(directory, "CDCT0"), let first = numbers.first { timeOffset = first }
        if let numbers = try Self.numbers(directory, "BeamSpot"), numbers.count == 2 { beamSpot = (numbers[0], numbers[1]) }
    }

    private static func numbers(_ directory: String, _ name: String) throws -> [Double]? {
        let path = "\(directory)/\(name)"
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "," })
        let values = words.compactMap { Double($0) }
        guard values.count == words.count else { throw SimulationError("payload \(name) is not a list of numbers") }
        return values
    }

    static func write(_ numbers: [Double], to path: String) throws {
        try (numbers.map { String(format: "%.6f", $0) }.joined(separator: " ") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }
}
