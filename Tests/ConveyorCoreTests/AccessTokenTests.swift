import ConveyorCore
import Testing

@Suite("Access tokens")
struct AccessTokenTests {
    @Test func hashIsHexSHA256OfTheSecret() {
        // SHA-256("abc"), the FIPS 180-2 test vector.
        #expect(AccessToken.hash(of: "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func generatedTokensAreDistinctPrefixedAndCookieSafe() {
        let tokens = (0..<200).map { _ in AccessToken.generate() }
        #expect(Set(tokens.map(\.secret)).count == 200)
        for token in tokens {
            #expect(token.secret.hasPrefix("cvy_"))
            #expect(token.secret.count == 4 + 43)
            #expect(token.secret.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" })
            #expect(token.hash != token.secret)
        }
    }
}
