import Testing

@testable import RelayCrypto

struct AEADTests {
    let key = SymmetricKey.random()
    let context: [UInt8] = Array("thread-1|message-1".utf8)

    @Test func sealThenOpenReturnsThePlaintext() throws {
        let plaintext = Array("I need help, please".utf8)
        let sealed = AEAD.seal(plaintext, associatedData: context, key: key)
        #expect(sealed.count == plaintext.count + AEAD.overhead)
        #expect(try AEAD.open(sealed, associatedData: context, key: key) == plaintext)
    }

    @Test func emptyPlaintextRoundTrips() throws {
        let sealed = AEAD.seal([UInt8](), associatedData: context, key: key)
        #expect(try AEAD.open(sealed, associatedData: context, key: key) == [])
    }

    @Test func ciphertextDoesNotContainThePlaintext() {
        let plaintext = Array("CANARY-plaintext-should-not-appear".utf8)
        let sealed = AEAD.seal(plaintext, associatedData: context, key: key)
        #expect(!sealed.containsSubsequence(plaintext))
    }

    @Test func everyFlippedByteFailsToOpen() {
        let sealed = AEAD.seal(Array("short message".utf8), associatedData: context, key: key)
        for index in sealed.indices {
            var tampered = sealed
            tampered[index] ^= 0x01
            #expect(throws: CryptoError.self) { try AEAD.open(tampered, associatedData: context, key: key) }
        }
    }

    @Test func otherAssociatedDataOrKeyFailsToOpen() {
        let sealed = AEAD.seal(Array("text".utf8), associatedData: context, key: key)
        #expect(throws: CryptoError.authenticationFailed) {
            try AEAD.open(sealed, associatedData: Array("thread-2|message-1".utf8), key: key)
        }
        #expect(throws: CryptoError.authenticationFailed) {
            try AEAD.open(sealed, associatedData: context, key: SymmetricKey.random())
        }
    }

    @Test func truncatedCiphertextIsMalformed() {
        #expect(throws: CryptoError.malformedCiphertext) {
            try AEAD.open([UInt8](repeating: 1, count: AEAD.overhead - 1), associatedData: context, key: key)
        }
    }

    @Test func oneHundredThousandNoncesNeverRepeat() throws {
        var seen = Set<[UInt8]>()
        seen.reserveCapacity(100_000)
        let plaintext: [UInt8] = [42]
        for _ in 0..<100_000 {
            let sealed = AEAD.seal(plaintext, associatedData: [], key: key)
            let nonce = Array(try AEAD.nonce(of: sealed))
            #expect(nonce.count == AEAD.nonceByteCount)
            seen.insert(nonce)
        }
        #expect(seen.count == 100_000)
    }
}

extension Array where Element == UInt8 {
    /// Whether `needle` occurs anywhere in the array.
    func containsSubsequence(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return false }
        for start in 0...(count - needle.count) where self[start] == needle[0] {
            if Array(self[start..<(start + needle.count)]) == needle { return true }
        }
        return false
    }
}
