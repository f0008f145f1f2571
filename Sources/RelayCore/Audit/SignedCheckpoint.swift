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
    public static func verify(note: String, publicKey: [UInt8]) throws -> SignedCheckpoint {
        guard note.utf8.count <= 8192 else { throw Failure.malformed("too large") }
        guard let split = note.range(of: "\n\n") else { throw Failure.malformed("no blank line before signatures") }
        let body = String(note[..<split.lowerBound]) + "\n"
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        guard lines.count >= 3, let size = Int64(lines[1]), size >= 0, let root = Base64.decode(String(lines[2])), root.count == 32 else {
            throw Failure.malformed("expected origin, tree size and a 32-byte base64 root")
        }
        let origin = String(lines[0])
        let expectedID = keyID(name: origin, publicKey: publicKey)
        for line in note[split.upperBound...].split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 3, parts[0] == "\u{2014}", parts[1] == origin, let blob = Base64.decode(String(parts[2])),
                blob.count == 4 + SigningKey.signatureByteCount, Array(blob.prefix(4)) == expectedID
            else { continue }
            if SignatureVerifier.isValid(signature: Array(blob.dropFirst(4)), message: Array(body.utf8), publicKey: publicKey) {
                return SignedCheckpoint(origin: origin, treeSize: size, rootHash: root)
            }
        }
        throw Failure.badSignature
    }
}
