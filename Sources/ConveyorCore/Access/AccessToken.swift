import Crypto
import Foundation

/// An API token: shown to its owner once, stored only as a SHA-256 hash.
///
/// ```swift
/// let token = AccessToken.generate()
/// print(token.secret)          // "cvy_3q2…", give this to the user
/// store(token.hash)            // keep only this
/// AccessToken.hash(of: header) == storedHash
/// ```
public struct AccessToken: Sendable, Hashable {
    /// The secret the user presents as `Authorization: Bearer <secret>`.
    public let secret: String

    /// Tokens carry a recognisable prefix so that they can be found by secret scanners.
    public static let prefix = "cvy_"

    /// A new token from 32 bytes of cryptographically secure randomness.
    public static func generate() -> AccessToken {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let body = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return AccessToken(secret: prefix + body)
    }

    /// The stored form of this token.
    public var hash: String { Self.hash(of: secret) }

    /// The hex SHA-256 of a presented secret, to compare with stored hashes.
    public static func hash(of secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
