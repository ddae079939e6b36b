/// A set of events of a sample, by ordinal: one bit per event, so that the overlap of two
/// selections over 10⁵ events is 1,563 word ANDs.
///
/// ```swift
/// var kept = EventSet(size: 100_000)
/// kept.insert(42)
/// kept.intersectionCount(with: other)
/// ```
public struct EventSet: Sendable, Equatable {
    public let size: Int
    public private(set) var words: [UInt64]

    public init(size: Int) {
        self.size = max(0, size)
        self.words = Array(repeating: 0, count: (max(0, size) + 63) / 64)
    }

    /// From stored words; nil when they do not fit `size`.
    public init?(size: Int, words: [UInt64]) {
        guard size >= 0, words.count == (size + 63) / 64 else { return nil }
        if size % 64 != 0, let last = words.last, last >> UInt64(size % 64) != 0 { return nil }
        self.size = size
        self.words = words
    }

    /// Adds an event; false when its ordinal is outside the sample.
    @discardableResult
    public mutating func insert(_ ordinal: Int) -> Bool {
        guard ordinal >= 0, ordinal < size else { return false }
        words[ordinal >> 6] |= 1 << UInt64(ordinal & 63)
        return true
    }

    public func contains(_ ordinal: Int) -> Bool {
        ordinal >= 0 && ordinal < size && words[ordinal >> 6] & (1 << UInt64(ordinal & 63)) != 0
    }

    public var count: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }

    public func intersectionCount(with other: EventSet) -> Int {
        var n = 0
        words.withUnsafeBufferPointer { a in
            other.words.withUnsafeBufferPointer { b in
                for i in 0..<min(a.count, b.count) { n &+= (a[i] & b[i]).nonzeroBitCount }
            }
        }
        return n
    }

    public mutating func formUnion(_ other: EventSet) {
        let n = min(words.count, other.words.count)
        words.withUnsafeMutableBufferPointer { a in
            other.words.withUnsafeBufferPointer { b in
                for i in 0..<n { a[i] |= b[i] }
            }
        }
    }

    /// Little-endian bytes of the words, for storing.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(words.count * 8)
        for word in words { for shift in stride(from: 0, to: 64, by: 8) { out.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) } }
        return out
    }

    /// From stored bytes; nil when they do not fit `size`.
    public init?(size: Int, bytes: [UInt8]) {
        guard size >= 0, bytes.count == ((size + 63) / 64) * 8 else { return nil }
        var words: [UInt64] = []
        words.reserveCapacity(bytes.count / 8)
        for start in stride(from: 0, to: bytes.count, by: 8) {
            var word: UInt64 = 0
            for k in 0..<8 { word |= UInt64(bytes[start + k]) << UInt64(8 * k) }
            words.append(word)
        }
        self.init(size: size, words: words)
    }
}
