import Crypto
import Foundation

/// The checksums the catalog keeps for a file (Adler-32 as 8 hex digits, SHA-256), computed
/// piece by piece so that large outputs never sit in memory whole.
///
/// ```swift
/// var sums = FileChecksums()
/// while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { sums.update(chunk) }
/// let (adler32, sha256) = (sums.adler32, sums.sha256)
/// ```
public struct FileChecksums {
    private var a: UInt32 = 1
    private var b: UInt32 = 0
    private var hash = SHA256()
    public private(set) var size: Int64 = 0

    public init() {}

    public mutating func update(_ data: Data) {
        hash.update(data: data)
        size += Int64(data.count)
        // Adler-32 sums stay below 2^32 for 5,552 bytes between reductions (zlib's NMAX).
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var index = 0
            while index < bytes.count {
                let end = min(index + 5_552, bytes.count)
                while index < end {
                    a &+= UInt32(bytes[index])
                    b &+= a
                    index += 1
                }
                a %= 65_521
                b %= 65_521
            }
        }
    }

    public var adler32: String {
        let value = (b << 16) | a
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 8 - text.count) + text
    }

    public var sha256: String {
        hash.finalize().map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}
