import Testing

@testable import RelayCrypto

struct PrimitiveTests {
    @Test func subkeysAreDeterministicAndIndependent() {
        let root = SymmetricKey.random()
        let a1 = KeyDerivation.subkey(of: root, id: 1, context: "SRtest01")
        let a2 = KeyDerivation.subkey(of: root, id: 1, context: "SRtest01")
        let b = KeyDerivation.subkey(of: root, id: 2, context: "SRtest01")
        let c = KeyDerivation.subkey(of: root, id: 1, context: "SRtest02")
        #expect(a1.secret.constantTimeEquals(a2.secret))
        #expect(!a1.secret.constantTimeEquals(b.secret))
        #expect(!a1.secret.constantTimeEquals(c.secret))
        #expect(!a1.secret.constantTimeEquals(root.secret))
    }

    @Test func blindIndexesAreDeterministicKeyedAndDomainSeparated() {
        let root = SymmetricKey.random()
        let contacts = BlindIndexKey.derive(from: root, domain: .contactAddress)
        let tokens = BlindIndexKey.derive(from: root, domain: .bearerToken)
        let other = BlindIndexKey.derive(from: SymmetricKey.random(), domain: .contactAddress)
        let phone = "sms:+14155550100"
        #expect(contacts.index(phone) == contacts.index(phone))
        #expect(contacts.index(phone).count == 32)
        #expect(contacts.index(phone) != contacts.index("sms:+14155550101"))
        #expect(contacts.index(phone) != tokens.index(phone))
        #expect(contacts.index(phone) != other.index(phone))
    }

    @Test func argon2idHashVerifiesOnlyTheRightPassword() throws {
        let hasher = PasswordHasher(cost: .init(operations: 2, memory: 8 * 1024 * 1024))
        let stored = try hasher.hash("correct horse battery staple")
        #expect(stored.hasPrefix("$argon2id$"))
        #expect(!stored.contains("correct horse"))
        #expect(hasher.verify("correct horse battery staple", against: stored))
        #expect(!hasher.verify("correct horse battery stapler", against: stored))
        #expect(!hasher.verify("", against: stored))
        #expect(!hasher.verify("anything", against: "not a hash"))
        #expect(PasswordHasher(cost: .interactive).needsRehash(stored))
        #expect(throws: CryptoError.self) { try hasher.hash(String(repeating: "a", count: 2000)) }
    }

    @Test func ed25519SignaturesVerifyAndRejectTampering() {
        let key = SigningKey.generate()
        let message = Array("checkpoint 42".utf8)
        let signature = key.sign(message)
        #expect(SignatureVerifier.isValid(signature: signature, message: message, publicKey: key.publicKey))
        #expect(!SignatureVerifier.isValid(signature: signature, message: Array("checkpoint 43".utf8), publicKey: key.publicKey))
        #expect(!SignatureVerifier.isValid(signature: signature, message: message, publicKey: SigningKey.generate().publicKey))
        var bad = signature
        bad[0] ^= 1
        #expect(!SignatureVerifier.isValid(signature: bad, message: message, publicKey: key.publicKey))
        #expect(!SignatureVerifier.isValid(signature: [1, 2, 3], message: message, publicKey: key.publicKey))
    }

    @Test func sealedBoxesOpenOnlyForTheRecipient() throws {
        let recipient = SealedBoxKeyPair()
        let sealed = try SealedBox.seal(Array("export".utf8), to: recipient.publicKey)
        #expect(try recipient.open(sealed) == Array("export".utf8))
        #expect(throws: CryptoError.authenticationFailed) { try SealedBoxKeyPair().open(sealed) }
        #expect(throws: CryptoError.malformedCiphertext) { try recipient.open([1, 2]) }
    }

    @Test func tokensAreLongRandomAndURLSafe() {
        let first = RandomToken.bearer()
        #expect(first.count == 43)
        #expect(first != RandomToken.bearer())
        #expect(Base64.decodeURLSafe(first)?.count == 32)
        #expect(RandomToken.identifier().count == 32)
    }

    @Test func base64AndHexRoundTripAndRejectGarbage() {
        let bytes: [UInt8] = [0, 1, 2, 250, 251, 255]
        #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        #expect(Base64.decode("not base64!") == nil)
        #expect(Base64.decode(Base64.encode(bytes) + "AA==junk") == nil)
        #expect(Hex.decode(Hex.encode(bytes)) == bytes)
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }

    @Test func constantTimeEqualityComparesContentAndLength() {
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
    }

    @Test func fingerprintsAreStableAndDistinct() {
        let key = SymmetricKey.random()
        #expect(key.fingerprint == key.fingerprint)
        #expect(key.fingerprint.count == 16)
        #expect(key.fingerprint != SymmetricKey.random().fingerprint)
    }
}
