import Foundation
import Logging
import RelayCrypto
import RelayModel
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

extension AuditLog {
    /// The log's origin line.
    public var origin: String {
        settings.auditOrigin ?? "saferelay.local/audit/\(keyring.auditSigningKey.fingerprint)"
    }

    /// The C2SP verifier key of the log.
    public var verifierKey: String {
        SignedCheckpoint.verifierKey(name: origin, publicKey: keyring.auditSigningKey.publicKey)
    }

    /// Appends one event in its own durable transaction and returns its position. Throws if it
    /// cannot be written: callers must then do nothing (fail closed).
    @discardableResult
    public func record(_ event: AuditEvent) async throws -> Int64 {
        let now = clock.now()
        return try await store.write { writer in try await AuditLog.append(event, at: now, writer: writer) }
    }

    /// Appends several events in one durable transaction (one fsync), in order. Returns the first position.
    @discardableResult
    public func record(batch events: [AuditEvent]) async throws -> Int64 {
        let now = clock.now()
        let createdAt = now.storeTime
        return try await store.write { writer in try await Self.append(batch: events, at: now, storeTime: createdAt, writer: writer) }
    }

    /// Appends events inside the caller's transaction, in order; returns the first one's position.
    static func append(batch events: [AuditEvent], at now: Date, storeTime createdAt: StoreTime, writer: any StoreWriter) async throws -> Int64 {
        let first = try await writer.auditSize()
        for (offset, event) in events.enumerated() {
            let seq = first + Int64(offset)
            let line = event.line(seq: seq, at: now)
            let leaf = line.utf8.withContiguousStorageIfAvailable { MerkleTree.leafDigest(UnsafeRawBufferPointer($0)) }
                ?? Digest32(MerkleTree.leafHash(Array(line.utf8)))
            try await writer.appendAudit(AuditRow(seq: seq, line: line, leafHash: Data(leaf.bytes), createdAt: createdAt))
        }
        return first
    }

    /// Appends an event inside the caller's transaction, so that it commits (or not) with the action.
    static func append(_ event: AuditEvent, at time: Date, writer: any StoreWriter) async throws -> Int64 {
        let seq = try await writer.auditSize()
        let line = event.line(seq: seq, at: time)
        try await writer.appendAudit(AuditRow(seq: seq, line: line, leafHash: Data(MerkleTree.leafHash(Array(line.utf8))), createdAt: time.storeTime))
        return seq
    }

    /// Signs and stores a checkpoint of the whole log now (and refreshes the witness file).
    @discardableResult
    public func writeCheckpoint() async throws -> AuditCheckpoint {
        let now = clock.now().storeTime
        let accumulator = try await store.read { reader -> MerkleAccumulator in
            var accumulator = MerkleAccumulator()
            try await reader.forEachAuditLeaf(from: 0) { _, _, leaf in accumulator.append(Digest32(raw: leaf)) }
            return accumulator
        }
        let note = SignedCheckpoint(origin: origin, treeSize: accumulator.size, rootHash: accumulator.root)
            .signed(with: keyring.auditSigningKey)
        let row = CheckpointRow(treeSize: accumulator.size, note: note, createdAt: now)
        try await store.write { try await $0.insert(row) }
        if let witness = settings.auditWitnessPath {
            try Self.writeWitness(note, to: witness)
        }
        logger.info("audit checkpoint written", metadata: ["audit.size": "\(accumulator.size)"])
        return AuditCheckpoint(row)
    }

    /// Replaces the witness file atomically (written beside it, mode 0600, then renamed over it).
    static func writeWitness(_ note: String, to path: String) throws {
        let temporary = path + ".tmp"
        unlink(temporary)
        guard FileManager.default.createFile(atPath: temporary, contents: Data(note.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown)
        }
        chmod(temporary, 0o600)
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw CocoaError(.fileWriteUnknown)
        }
    }

    /// Recomputes the tree from every stored event, checks every checkpoint's signature and root,
    /// and (if given) the witness checkpoint kept outside the database. Names the first mismatch.
    public func verify(witnessNote: String? = nil) async throws -> AuditVerification {
        var result = AuditVerification()
        let publicKey = keyring.auditSigningKey.publicKey
        let stored = try await store.read { try await $0.auditCheckpoints() }
        var checkpoints: [(row: CheckpointRow, checkpoint: SignedCheckpoint)] = []
        for row in stored {
            do {
                let checkpoint = try SignedCheckpoint.verify(note: row.note, publicKey: publicKey)
                guard checkpoint.treeSize == row.treeSize, checkpoint.origin == origin else {
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

        let due = checkpoints.map(\.checkpoint)
        let scan = try await store.read { reader -> AuditScan in
            var scan = AuditScan()
            var pending = due[...]
            func checkDue() {
                while let first = pending.first, first.treeSize == scan.accumulator.size {
                    if Digest32(first.rootHash) != (scan.accumulator.rootDigest ?? Digest32(SHA256.hash([UInt8]()))) {
                        let previous = scan.latest ?? 0
                        scan.problems.append(
                            "checkpoint at size \(first.treeSize) does not match the log: an event from #\(previous) to #\(first.treeSize - 1) was changed")
                    } else {
                        scan.latest = first.treeSize
                    }
                    pending = pending.dropFirst()
                }
            }
            checkDue()
            try await reader.forEachAuditLeaf(from: 0) { seq, line, leaf in
                if seq != scan.expected {
                    scan.problems.append("event #\(scan.expected) is missing (the next stored event is #\(seq))")
                    scan.expected = seq
                }
                let stored = Digest32(raw: leaf)
                if let line {
                    if !AuditScan.hasSeqPrefix(line, seq) {
                        scan.problems.append("event #\(seq) holds the line of another position (reordered or moved)")
                    } else if MerkleTree.leafDigest(line) != stored {
                        scan.problems.append("event #\(seq) was changed: its line does not match its leaf hash")
                    }
                } else {
                    scan.pruned += 1
                }
                scan.accumulator.append(stored)
                scan.expected += 1
                checkDue()
            }
            scan.unmatched = Array(pending)
            return scan
        }
        result.problems += scan.problems
        result.pruned = scan.pruned
        result.latestCheckpoint = scan.latest
        let expected = scan.expected
        let pending = scan.unmatched
        result.events = expected
        for rest in pending {
            result.problems.append(
                "the log was rolled back or truncated: a checkpoint commits to \(rest.treeSize) events but the log holds \(expected)")
        }
        return result
    }

    /// The export: a header line (format, origin, verifier key, latest checkpoint, the peaks of the
    /// events before `since`) followed by one line per event, each exactly its stored line.
    public func export(since: Date? = nil, write: (String) throws -> Void) async throws -> (events: Int, checkpoint: AuditCheckpoint) {
        let checkpoint = try await writeCheckpoint()
        let sinceTime = since?.storeTime
        var prior = MerkleAccumulator()
        var firstSeq: Int64? = nil
        var lines: [String] = []
        var next: Int64 = 0
        while next < checkpoint.treeSize {
            let from = next
            let rows = try await store.read { try await $0.auditEvents(from: from, limit: 10_000) }
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
            "format": "saferelay-audit-export/1", "origin": origin, "vkey": verifierKey, "checkpoint": checkpoint.note,
            "first_seq": firstSeq ?? checkpoint.treeSize, "prior_peaks": prior.peakHashes.map { Base64.encode($0) },
        ]
        let data = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys, .withoutEscapingSlashes])
        try write(String(decoding: data, as: UTF8.self))
        for line in lines { try write(line) }
        return (lines.count, checkpoint)
    }
}

/// The state of one verification pass over the stored events.
struct AuditScan: Sendable {
    var accumulator = MerkleAccumulator()
    var expected: Int64 = 0
    var pruned: Int64 = 0
    var latest: Int64?
    var problems: [String] = []
    var unmatched: [SignedCheckpoint] = []

    /// Whether a line starts with `{"seq":N,` for exactly this N (checked on bytes, no allocation).
    static func hasSeqPrefix(_ line: UnsafeRawBufferPointer, _ seq: Int64) -> Bool {
        let head: StaticString = #"{"seq":"#
        let headCount = head.utf8CodeUnitCount
        guard line.count > headCount, memcmp(line.baseAddress!, head.utf8Start, headCount) == 0 else { return false }
        var value: Int64 = 0
        var index = headCount
        var digits = 0
        while index < line.count, line[index] >= 0x30, line[index] <= 0x39, digits < 19 {
            value = value * 10 + Int64(line[index] - 0x30)
            index += 1
            digits += 1
        }
        return digits > 0 && index < line.count && line[index] == UInt8(ascii: ",") && value == seq
            && (digits == 1 || line[headCount] != 0x30)
    }
}

extension MerkleAccumulator {
    /// The peak hashes, largest subtree first (to resume a tree in an export).
    public var peakHashes: [[UInt8]] { peakList.map(\.hash) }
}
