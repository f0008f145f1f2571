import Foundation
import RelayCrypto

/// A checkpoint in the C2SP tlog-checkpoint format, signed as a C2SP signed note with Ed25519:
///
/// ```text
/// <origin>
/// <tree size>
/// <base64 root hash>
///
/// — <key name> <base64(key ID ‖ signature)>
/// ```
public struct SignedCheckpoint: Sendable, Equatable {
    /// The log's origin line (also the key name).
    public var origin: String
    /// Leaves committed to.
    public var treeSize: Int64
    /// The RFC 6962 root at that size.
    public var rootHash: [UInt8]

    /// Creates a checkpoint body.
    public init(origin: String, treeSize: Int64, rootHash: [UInt8]) {
        self.origin = origin
        self.treeSize = treeSize
        self.rootHash = rootHash
    }

    /// The signed text: the three body lines, each ending in a newline.
    public var body: String { "\(origin)\n\(treeSize)\n\(Base64.encode(rootHash))\n" }

    /// The 4-byte key ID of an Ed25519 key under a name: SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key), first 4 bytes.
    public static func keyID(name: String, publicKey: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(Array(name.utf8) + [0x0A, 0x01] + publicKey).prefix(4))
    }

    /// The C2SP verifier key: `name+hex(key ID)+base64(0x01 ‖ public key)`.
    public static func verifierKey(name: String, publicKey: [UInt8]) -> String {
        "\(name)+\(Hex.encode(keyID(name: name, publicKey: publicKey)))+\(Base64.encode([0x01] + publicKey))"
    }

    /// The note signed by `key`.
    public func signed(with key: SigningKey) -> String {
        let signature = key.sign(Array(body.utf8))
        let blob = Self.keyID(name: origin, publicKey: key.publicKey) + signature
        return body + "\n\u{2014} \(origin) \(Base64.encode(blob))\n"
    }

    /// Why a note was refused.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// Not in the expected shape.
        case malformed(String)
        /// No signature line by this key (name and key ID) verifies.
        case badSignature

        public var description: String {
            switch self {
            case .malformed(let why): "malformed checkpoint: \(why)"
            case .badSignature: "checkpoint is not signed by this log's key"
            }
        }
    }

    /// Parses a note and checks that it carries a valid signature by `publicKey` under its origin.
    ///
    /// The signed text must be exactly what ``body`` writes: three lines, the tree size in decimal
    /// without sign or leading zeros, the root in canonical base64. SafeRelay writes no extension
    /// lines, so a note with any is refused rather than read as a checkpoint it does not spell out.
    /// The note is read as UTF-8 bytes, so line breaks are never merged into other characters.
    public static func verify(note: String, publicKey: [UInt8]) throws -> SignedCheckpoint {
        let bytes = Array(note.utf8)
        guard bytes.count <= 8192 else { throw Failure.malformed("too large") }
        let newline = UInt8(ascii: "\n")
        guard let blank = bytes.indices.dropLast().first(where: { bytes[$0] == newline && bytes[$0 + 1] == newline }) else {
            throw Failure.malformed("no blank line before signatures")
        }
        let body = Array(bytes[...blank])
        let lines = body.dropLast().split(separator: newline, omittingEmptySubsequences: false)
        guard lines.count == 3, let size = Int64(String(decoding: lines[1], as: UTF8.self)), size >= 0,
            let root = Base64.decode(String(decoding: lines[2], as: UTF8.self)), root.count == 32
        else {
            throw Failure.malformed("expected origin, tree size and a 32-byte base64 root")
        }
        let checkpoint = SignedCheckpoint(origin: String(decoding: lines[0], as: UTF8.self), treeSize: size, rootHash: root)
        guard Array(checkpoint.body.utf8) == body else { throw Failure.malformed("not in canonical form") }
        let originBytes = Array(lines[0])
        let expectedID = keyID(name: checkpoint.origin, publicKey: publicKey)
        for line in bytes[(blank + 2)...].split(separator: newline) {
            let parts = line.split(separator: UInt8(ascii: " "))
            guard parts.count == 3, parts[0].elementsEqual("\u{2014}".utf8), parts[1].elementsEqual(originBytes),
                let blob = Base64.decode(String(decoding: parts[2], as: UTF8.self)),
                blob.count == 4 + SigningKey.signatureByteCount, Array(blob.prefix(4)) == expectedID
            else { continue }
            if SignatureVerifier.isValid(signature: Array(blob.dropFirst(4)), message: body, publicKey: publicKey) {
                return checkpoint
            }
        }
        throw Failure.badSignature
    }
}
