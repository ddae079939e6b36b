import Crypto
import Foundation

/// The checksums a payload is known by: SHA-256 (its identity) and MD5 (what older tools compare).
public struct PayloadChecksums: Sendable, Hashable, Codable {
    public let sha256: String
    public let md5: String

    public init(of data: Data) {
        sha256 = Self.hex(SHA256.hash(data: data))
        md5 = Self.hex(Insecure.MD5.hash(data: data))
    }

    private static func hex(_ digest: some Digest) -> String {
        digest.map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }
}
