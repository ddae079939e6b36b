import ArgumentParser
import Foundation

/// The mass peak of hadron candidates: how many, mean and width (RMS in a window around the peak).
struct MassPeak: Codable {
    var candidates: Int
    var mean: Double
    var width: Double

    static let window = 2.5...3.7

    init(_ masses: [Double]) {
        let inside = masses.filter { Self.window.contains($0) }
        candidates = inside.count
        mean = inside.isEmpty ? 0 : inside.reduce(0, +) / Double(inside.count)
        let m = mean
        width = inside.count < 2 ? 0 : sqrt(inside.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(inside.count - 1))
    }
}
