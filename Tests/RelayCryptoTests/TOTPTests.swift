import Testing

@testable import RelayCrypto

/// RFC 6238 Appendix B (SHA-1) and RFC 4648 base32.
struct TOTPTests {
    static let vectors: [(UInt64, String)] = [
        (59, "94287082"), (1_111_111_109, "07081804"), (1_111_111_111, "14050471"), (1_234_567_890, "89005924"),
        (2_000_000_000, "69279037"), (20_000_000_000, "65353130"),
    ]

    @Test(arguments: vectors)
    func theRFCVectorsMatch(time: UInt64, code: String) {
        let totp = TOTP(secret: Array("12345678901234567890".utf8), digits: 8)
        #expect(totp.code(step: totp.step(at: time)) == code)
        #expect(totp.matchingStep(code, at: time) == totp.step(at: time))
    }

    @Test func sixDigitCodesAcceptOneStepOfDriftAndNothingElse() {
        let totp = TOTP(secret: Array("12345678901234567890".utf8))
        #expect(totp.code(step: totp.step(at: 59)) == "287082")
        #expect(totp.matchingStep("287082", at: 59 + 30) != nil)
        #expect(totp.matchingStep("287082", at: 59 + 90) == nil)
        #expect(totp.matchingStep("28708", at: 59) == nil)
        #expect(totp.matchingStep("abcdef", at: 59) == nil)
    }

    @Test func base32MatchesRFC4648() {
        #expect(TOTP.base32(Array("foobar".utf8)) == "MZXW6YTBOI")
        #expect(TOTP.decodeBase32("MZXW6YTBOI") == Array("foobar".utf8))
        #expect(TOTP.decodeBase32("MZXW6YQ=") == Array("foob".utf8))
        #expect(TOTP.decodeBase32("mzxw6") == nil)
        #expect(TOTP.decodeBase32("MZXW1") == nil)
        let secret = (0..<20).map { UInt8($0 * 13 & 0xff) }
        #expect(TOTP.decodeBase32(TOTP.base32(secret)) == secret)
        #expect(TOTP.base32(Array("12345678901234567890".utf8)) == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
    }
}
