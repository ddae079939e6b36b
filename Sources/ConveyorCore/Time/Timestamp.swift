import Foundation

/// A moment in UTC with microsecond precision, stored as an integer so that `--as-of` reads
/// compare exactly the values that were written.
///
/// Written and parsed as ISO 8601: `2026-11-22T14:05:00.123456Z`. Parsing also accepts a
/// plain date (`2026-11-22`, midnight UTC) and a time without fractional seconds or zone (UTC).
///
/// ```swift
/// let t = try Timestamp(parsing: "2026-11-22T10:00:00Z")
/// t.microsecondsSinceEpoch   // 1795341600000000
/// ```
public struct Timestamp: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var microsecondsSinceEpoch: Int64

    public init(microsecondsSinceEpoch: Int64) {
        self.microsecondsSinceEpoch = microsecondsSinceEpoch
    }

    public init(_ date: Date) {
        self.microsecondsSinceEpoch = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    public static var now: Timestamp { Timestamp(Date()) }

    public var date: Date { Date(timeIntervalSince1970: Double(microsecondsSinceEpoch) / 1_000_000) }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.microsecondsSinceEpoch < rhs.microsecondsSinceEpoch
    }

    /// ISO 8601 in UTC with six fractional digits.
    public var iso8601: String {
        let seconds = microsecondsSinceEpoch.floorDiv(1_000_000)
        let micros = microsecondsSinceEpoch - seconds * 1_000_000
        let base = Date(timeIntervalSince1970: Double(seconds)).formatted(
            .iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false).timeSeparator(.colon)
        )
        let fraction = String(micros).leftPadded(to: 6)
        return "\(base).\(fraction)Z"
    }

    public var description: String { iso8601 }

    /// `2026-11-22 14:05:00` (UTC, to the second) for tables and pages.
    public var short: String { String(iso8601.prefix(19)).replacingOccurrences(of: "T", with: " ") }

    /// Parses ISO 8601 (with or without fractional seconds and zone) or a plain `YYYY-MM-DD` date.
    public init(parsing text: String) throws(ConveyorError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let value = Self.parse(trimmed) else {
            throw .invalidInput("'\(text)' is not a timestamp (expected ISO 8601, e.g. 2026-11-22T14:05:00Z or 2026-11-22)")
        }
        self = value
    }

    private static func parse(_ text: String) -> Timestamp? {
        // Separate a fractional part ourselves: Foundation's parser keeps only milliseconds.
        var main = text
        var micros: Int64 = 0
        if let dot = text.firstIndex(of: ".") {
            let afterDot = text[text.index(after: dot)...]
            let digits = afterDot.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, digits.count <= 9 else { return nil }
            micros = Int64(String(digits.prefix(6)).rightPadded(to: 6)) ?? 0
            main = String(text[..<dot]) + afterDot.dropFirst(digits.count)
        }
        if main.count == 10 { main += "T00:00:00Z" }
        guard fieldsAreInRange(main) else { return nil }
        if !(main.hasSuffix("Z") || main.dropFirst(19).contains("+") || main.dropFirst(19).contains("-")) {
            main += "Z"
        }
        guard let date = try? Date(main, strategy: .iso8601) else { return nil }
        return Timestamp(microsecondsSinceEpoch: Int64(date.timeIntervalSince1970) * 1_000_000 + micros)
    }

    /// Foundation's parser rolls 25:00 over into the next day; a typo should be refused instead.
    private static func fieldsAreInRange(_ text: String) -> Bool {
        let digits = text.prefix(19).split(whereSeparator: { "-T:".contains($0) }).map { Int($0) }
        guard digits.count == 6, digits.allSatisfy({ $0 != nil }) else { return false }
        let (year, month, day, hour, minute, second) = (digits[0]!, digits[1]!, digits[2]!, digits[3]!, digits[4]!, digits[5]!)
        guard (1...9999).contains(year), (1...12).contains(month), hour < 24, minute < 60, second < 61 else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return (1...monthDays[month - 1]).contains(day)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Self.parse(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not an ISO 8601 timestamp")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso8601)
    }
}

extension Int64 {
    fileprivate func floorDiv(_ divisor: Int64) -> Int64 {
        let q = self / divisor
        return (self % divisor < 0) ? q - 1 : q
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }

    fileprivate func rightPadded(to width: Int) -> String {
        count >= width ? self : self + String(repeating: "0", count: width - count)
    }
}

extension Timestamp {
    /// This moment plus `seconds`, clamped to 0…100 years (a negative, NaN or huge duration read
    /// back from a database must not trap the arithmetic).
    public func adding(seconds: Double) -> Timestamp {
        let bounded = seconds.isNaN ? 0 : min(max(seconds, 0), 100 * 365.25 * 86_400)
        let micros = Int64((bounded * 1_000_000).rounded())
        let (sum, overflow) = microsecondsSinceEpoch.addingReportingOverflow(micros)
        return Timestamp(microsecondsSinceEpoch: overflow ? .max : sum)
    }

    /// This moment less `seconds` (clamped like ``adding(seconds:)``, and never before 1970).
    public func subtracting(seconds: Double) -> Timestamp {
        let bounded = seconds.isNaN ? 0 : min(max(seconds, 0), 100 * 365.25 * 86_400)
        return Timestamp(microsecondsSinceEpoch: max(0, microsecondsSinceEpoch - Int64((bounded * 1_000_000).rounded())))
    }

    /// Seconds from `earlier` to this moment.
    public func seconds(since earlier: Timestamp) -> Double { (Double(microsecondsSinceEpoch) - Double(earlier.microsecondsSinceEpoch)) / 1_000_000 }
}
