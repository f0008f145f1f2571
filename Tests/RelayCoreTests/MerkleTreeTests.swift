import Foundation
import RelayCrypto
import Testing

@testable import RelayCore

struct MerkleTreeTests {
    /// RFC 6962 section 2.1, written recursively as the RFC states it.
    static func reference(_ leaves: ArraySlice<[UInt8]>) -> [UInt8] {
        if leaves.isEmpty { return SHA256.hash([UInt8]()) }
        if leaves.count == 1 { return leaves.first! }
        var split = 1
        while split * 2 < leaves.count { split *= 2 }
        let mid = leaves.startIndex + split
        return MerkleTree.nodeHash(reference(leaves[..<mid]), reference(leaves[mid...]))
    }

    @Test func theAccumulatorMatchesTheRFCDefinitionAtEverySize() {
        var leaves: [[UInt8]] = []
        var accumulator = MerkleAccumulator()
        #expect(accumulator.root == Self.reference([]))
        for index in 0..<70 {
            let leaf = MerkleTree.leafHash(Array("event \(index)".utf8))
            leaves.append(leaf)
            accumulator.append(leaf)
            #expect(accumulator.root == Self.reference(leaves[...]), "size \(index + 1)")
        }
    }

    @Test func theEmptyTreeAndLeafAndNodeHashesFollowRFC6962() {
        #expect(Hex.encode(MerkleTree.root([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        // SHA-256 of the single byte 0x00: the leaf hash of empty data (RFC 6962 test vectors).
        #expect(Hex.encode(MerkleTree.leafHash([UInt8]())) == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
        #expect(MerkleTree.nodeHash([1], [2]) == SHA256.hash([0x01, 1, 2]))
    }

    @Test func checkpointsVerifyOnlyWithTheirKey() throws {
        let key = SigningKey.generate()
        let checkpoint = SignedCheckpoint(origin: "saferelay.test/audit", treeSize: 42, rootHash: SHA256.hash([1]))
        let note = checkpoint.signed(with: key)
        #expect(note.hasPrefix("saferelay.test/audit\n42\n"))
        #expect(note.contains("\n\n\u{2014} saferelay.test/audit "))
        #expect(try SignedCheckpoint.verify(note: note, publicKey: key.publicKey) == checkpoint)
        #expect(throws: SignedCheckpoint.Failure.badSignature) { try SignedCheckpoint.verify(note: note, publicKey: SigningKey.generate().publicKey) }
        let altered = note.replacingOccurrences(of: "\n42\n", with: "\n43\n")
        #expect(throws: SignedCheckpoint.Failure.badSignature) { try SignedCheckpoint.verify(note: altered, publicKey: key.publicKey) }
        #expect(throws: SignedCheckpoint.Failure.self) { try SignedCheckpoint.verify(note: "garbage", publicKey: key.publicKey) }
        let vkey = SignedCheckpoint.verifierKey(name: "saferelay.test/audit", publicKey: key.publicKey)
        let parts = vkey.split(separator: "+", maxSplits: 2)
        #expect(parts.count == 3 && parts[1].count == 8 && Base64.decode(String(parts[2]))?.first == 0x01)
    }

    /// Fuzz finding (FuzzCheckpointNote, input `Fuzz/Corpus/FuzzCheckpointNote/regression-leading-zero`):
    /// a signed note whose tree size had a leading zero verified as a checkpoint that re-serialises to
    /// other text. Only the exact canonical body now verifies.
    @Test func onlyCanonicalCheckpointsVerify() throws {
        let key = SigningKey.generate()
        func note(_ body: String, origin: String = "t") -> String {
            let blob = SignedCheckpoint.keyID(name: origin, publicKey: key.publicKey) + key.sign(Array(body.utf8))
            return body + "\n\u{2014} \(origin) \(Base64.encode(blob))\n"
        }
        let root = "SBNJTRN+FjG7owHVrKtue7eqdM4RhdRWVl71HXN2d7I="
        #expect(try SignedCheckpoint.verify(note: note("t\n8\n\(root)\n"), publicKey: key.publicKey).treeSize == 8)
        for body in ["t\n08\n\(root)\n", "t\n+8\n\(root)\n", "t\n-0\n\(root)\n", "t\n8\n\(root)\nextension\n", "t\n8\n\(root.replacingOccurrences(of: "I=", with: "J="))\n"] {
            #expect(throws: SignedCheckpoint.Failure.self, "\(body.debugDescription)") {
                try SignedCheckpoint.verify(note: note(body, origin: String(body.prefix { $0 != "\n" })), publicKey: key.publicKey)
            }
        }
    }

    @Test func eventLinesAreCanonical() {
        let event = AuditEvent(actor: "maria", role: "advocate", action: "thread.view", threadID: "t1", purpose: "a \"quoted\"\nreason\\", details: ["count": "3"])
        let line = event.line(seq: 7, at: Date(timeIntervalSince1970: 1_800_000_000.5))
        #expect(line == #"{"seq":7,"action":"thread.view","actor":"maria","at":"2027-01-15T08:00:00.500Z","outcome":"ok","purpose":"a \"quoted\"\u000areason\\","role":"advocate","thread":"t1","x_count":"3"}"#)
        #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil)
    }
}
