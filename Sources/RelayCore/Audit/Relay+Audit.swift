import Foundation
import Logging
import RelayCrypto
import RelayStore

/// The outcome of `audit verify`.
public struct AuditVerification: Sendable, Equatable {
    /// Events in the log.
    public var events: Int64 = 0
    /// Events whose line was pruned (their leaf hash stays).
    public var pruned: Int64 = 0
    /// Checkpoints checked.
    public var checkpoints: Int = 0
    /// The largest verified checkpoint size.
    public var latestCheckpoint: Int64?
    /// What does not match, first problem first. Empty when the log verifies.
    public var problems: [String] = []

    /// Whether everything verified.
    public var isValid: Bool { problems.isEmpty }
}

extension Relay {
    /// The log's origin line.
    public var auditOrigin: String {
        settings.auditOrigin ?? "saferelay.local/audit/\(keyring.auditSigningKey.fingerprint)"
    }

    /// The C2SP verifier key of the log.
    public var auditVerifierKey: String {
        SignedCheckpoint.verifierKey(name: auditOrigin, publicKey: keyring.auditSigningKey.publicKey)
    }

    /// Appends one event in its own durable transaction and returns its position. Throws if it
    /// cannot be written: callers must then do nothing (fail closed).
    @discardableResult
    public func audit(_ event: AuditEvent) async throws -> Int64 {
        let now = clock.now()
        return try await store.write { writer in try Self.appendAudit(event, at: now, writer: writer) }
    }

    /// Appends an event inside the caller's transaction, so that it commits (or not) with the action.
    static func appendAudit(_ event: AuditEvent, at time: Date, writer: any StoreWriter) throws -> Int64 {
        let seq = try writer.auditSize()
        let line = event.line(seq: seq, at: time)
        try writer.appendAudit(AuditRow(seq: seq, line: line, leafHash: Data(MerkleTree.leafHash(Array(line.utf8))), createdAt: time.storeTime))
        return seq
    }

    /// Signs and stores a checkpoint of the whole log now (and refreshes the witness file).
    @discardableResult
    public func writeCheckpoint() async throws -> CheckpointRow {
        let now = clock.now().storeTime
        var accumulator = MerkleAccumulator()
        var next: Int64 = 0
        while true {
            let from = next
            let rows = try await store.read { try $0.auditEvents(from: from, limit: 10_000) }
            for row in rows { accumulator.append(Array(row.leafHash)) }
            guard let last = rows.last else { break }
            next = last.seq + 1
        }
        let note = SignedCheckpoint(origin: auditOrigin, treeSize: accumulator.size, rootHash: accumulator.root)
            .signed(with: keyring.auditSigningKey)
        let row = CheckpointRow(treeSize: accumulator.size, note: note, createdAt: now)
        try await store.write { try $0.insert(row) }
        if let witness = settings.auditWitnessPath {
            try Self.writeWitness(note, to: witness)
        }
        logger.info("audit checkpoint written", metadata: ["audit.size": "\(accumulator.size)"])
        return row
    }

    /// Replaces the witness file atomically (written beside it, then renamed over it).
    static func writeWitness(_ note: String, to path: String) throws {
        try Data(note.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Recomputes the tree from every stored event, checks every checkpoint's signature and root,
    /// and (if given) the witness checkpoint kept outside the database. Names the first mismatch.
    public func verifyAudit(witnessNote: String? = nil) async throws -> AuditVerification {
        var result = AuditVerification()
        let publicKey = keyring.auditSigningKey.publicKey
        let stored = try await store.read { try $0.auditCheckpoints() }
        var checkpoints: [(row: CheckpointRow, checkpoint: SignedCheckpoint)] = []
        for row in stored {
            do {
                let checkpoint = try SignedCheckpoint.verify(note: row.note, publicKey: publicKey)
                guard checkpoint.treeSize == row.treeSize, checkpoint.origin == auditOrigin else {
                    result.problems.append("checkpoint stored at size \(row.treeSize) commits to another size or origin")
                    continue
                }
                checkpoints.append((row, checkpoint))
            } catch {
                result.problems.append("checkpoint at size \(row.treeSize): \(error)")
            }
        }
        if let witnessNote {
            do {
                let witness = try SignedCheckpoint.verify(note: witnessNote, publicKey: publicKey)
                checkpoints.append((CheckpointRow(treeSize: witness.treeSize, note: witnessNote, createdAt: 0), witness))
            } catch {
                result.problems.append("the witness checkpoint: \(error)")
            }
        }
        checkpoints.sort { $0.checkpoint.treeSize < $1.checkpoint.treeSize }
        result.checkpoints = checkpoints.count

        var accumulator = MerkleAccumulator()
        var pending = checkpoints[...]
        func checkDue() {
            while let first = pending.first, first.checkpoint.treeSize == accumulator.size {
                if first.checkpoint.rootHash != accumulator.root {
                    let previous = result.latestCheckpoint ?? 0
                    result.problems.append(
                        "checkpoint at size \(first.checkpoint.treeSize) does not match the log: an event from #\(previous) to #\(first.checkpoint.treeSize - 1) was changed")
                } else {
                    result.latestCheckpoint = first.checkpoint.treeSize
                }
                pending = pending.dropFirst()
            }
        }
        checkDue()
        var expected: Int64 = 0
        while true {
            let from = expected
            let rows = try await store.read { try $0.auditEvents(from: from, limit: 10_000) }
            guard !rows.isEmpty else { break }
            for row in rows {
                if row.seq != expected {
                    result.problems.append("event #\(expected) is missing (the next stored event is #\(row.seq))")
                    expected = row.seq
                }
                if let line = row.line {
                    if !line.hasPrefix(#"{"seq":\#(row.seq),"#) {
                        result.problems.append("event #\(row.seq) holds the line of another position (reordered or moved)")
                    } else if MerkleTree.leafHash(Array(line.utf8)) != Array(row.leafHash) {
                        result.problems.append("event #\(row.seq) was changed: its line does not match its leaf hash")
                    }
                } else {
                    result.pruned += 1
                }
                accumulator.append(Array(row.leafHash))
                expected += 1
                checkDue()
            }
        }
        result.events = expected
        for rest in pending {
            result.problems.append(
                "the log was rolled back or truncated: a checkpoint commits to \(rest.checkpoint.treeSize) events but the log holds \(expected)")
        }
        return result
    }

    /// The export: a header line (format, origin, verifier key, latest checkpoint, the peaks of the
    /// events before `since`) followed by one line per event, each exactly its stored line.
    public func exportAudit(since: Date? = nil, write: (String) throws -> Void) async throws -> (events: Int, checkpoint: CheckpointRow) {
        let checkpoint = try await writeCheckpoint()
        let sinceTime = since?.storeTime
        var prior = MerkleAccumulator()
        var firstSeq: Int64? = nil
        var lines: [String] = []
        var next: Int64 = 0
        while next < checkpoint.treeSize {
            let from = next
            let rows = try await store.read { try $0.auditEvents(from: from, limit: 10_000) }
            guard let last = rows.last else { break }
            for row in rows where row.seq < checkpoint.treeSize {
                if firstSeq == nil, let sinceTime, row.createdAt < sinceTime {
                    prior.append(Array(row.leafHash))
                    continue
                }
                if firstSeq == nil { firstSeq = row.seq }
                lines.append(row.line ?? #"{"pruned":"\#(Base64.encode(Array(row.leafHash)))","seq":\#(row.seq)}"#)
            }
            next = last.seq + 1
        }
        let header: [String: Any] = [
            "format": "saferelay-audit-export/1", "origin": auditOrigin, "vkey": auditVerifierKey, "checkpoint": checkpoint.note,
            "first_seq": firstSeq ?? checkpoint.treeSize, "prior_peaks": prior.peakHashes.map { Base64.encode($0) },
        ]
        let data = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys, .withoutEscapingSlashes])
        try write(String(decoding: data, as: UTF8.self))
        for line in lines { try write(line) }
        return (lines.count, checkpoint)
    }
}

extension MerkleAccumulator {
    /// The peak hashes, largest subtree first (to resume a tree in an export).
    public var peakHashes: [[UInt8]] { peakList.map(\.hash) }
}
