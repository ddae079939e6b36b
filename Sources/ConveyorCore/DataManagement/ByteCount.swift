import Foundation

/// Sizes and ages as people write them on the command line and in request files.
///
/// ```swift
/// try ByteCount.parse("10TB")      // 10_000_000_000_000
/// try ByteCount.parse("1.5GiB")    // 1_610_612_736
/// try AgeText.seconds("90d")       // 7_776_000
/// ```
public enum ByteCount {
    static let units: [(String, Double)] = [
        ("KiB", 1024), ("MiB", 1024 * 1024), ("GiB", 1024 * 1024 * 1024), ("TiB", 1024 * 1024 * 1024 * 1024),
        ("PiB", 1024 * 1024 * 1024 * 1024 * 1024),
        ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12), ("PB", 1e15), ("B", 1),
    ]

    public static func parse(_ text: String) throws(ConveyorError) -> Int64 {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var number = Substring(trimmed)
        var factor = 1.0
        for (unit, value) in units where trimmed.uppercased().hasSuffix(unit.uppercased()) {
            number = trimmed.dropLast(unit.count)
            factor = value
            break
        }
        guard let value = Double(number.trimmingCharacters(in: .whitespaces)), value.isFinite, value >= 0, value * factor < 9e18 else {
            throw .invalidInput("'\(text)' is not a size (e.g. 500GB, 10TB, 1.5TiB, or bytes)")
        }
        return Int64((value * factor).rounded())
    }

    /// `1.2 TB`, `340 MB`: decimal units, three significant digits.
    public static func describe(_ bytes: Int64) -> String {
        let value = Double(bytes)
        for (unit, size) in [("PB", 1e15), ("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)] where abs(value) >= size {
            let scaled = value / size
            return scaled >= 100 ? "\(Int(scaled.rounded())) \(unit)" : "\((scaled * 10).rounded() / 10) \(unit)"
        }
        return "\(bytes) B"
    }
}

/// Lifetimes and ages: `30d`, `12h`, `90m`, `45s`, or seconds.
public enum AgeText {
    public static func seconds(_ text: String) throws(ConveyorError) -> Int64 {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let factors: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]
        var digits = Substring(trimmed)
        var factor: Int64 = 1
        if let last = trimmed.last, let f = factors[last] {
            digits = trimmed.dropLast()
            factor = f
        }
        guard let value = Int64(digits), value > 0, value <= 36_500 * 86_400 / factor else {
            throw .invalidInput("'\(text)' is not a duration (e.g. 30d, 12h, 90m, 45s)")
        }
        return value * factor
    }
}
