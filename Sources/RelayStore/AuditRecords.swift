import Foundation
import RelayModel

/// One stored audit event: its canonical line (removed once the audit lifetime passes) and the
/// RFC 6962 leaf hash, which stays so that the Merkle tree still verifies.
public struct AuditRow: Sendable, Equatable {
    /// Position in the log, from 0.
    public var seq: Int64
    /// The canonical JSON line, or `nil` once pruned.
    public var line: String?
    /// SHA-256(0x00 ‖ line).
    public var leafHash: Data
    /// When it was appended.
    public var createdAt: StoreTime

    /// Creates a row.
    public init(seq: Int64, line: String?, leafHash: Data, createdAt: StoreTime) {
        self.seq = seq
        self.line = line
        self.leafHash = leafHash
        self.createdAt = createdAt
    }
}

/// A signed checkpoint (C2SP signed note) of the log at a size.
public struct CheckpointRow: Sendable, Equatable {
    /// The tree size it commits to.
    public var treeSize: Int64
    /// The whole signed note.
    public var note: String
    /// When it was written.
    public var createdAt: StoreTime

    /// Creates a row.
    public init(treeSize: Int64, note: String, createdAt: StoreTime) {
        self.treeSize = treeSize
        self.note = note
        self.createdAt = createdAt
    }
}

/// A legal hold: the thread is never purged while it stands.
public struct HoldRecord: Sendable, Equatable {
    /// The held thread.
    public var threadID: String
    /// Why (a case or order reference; no personal data).
    public var reason: String
    /// Who placed it.
    public var createdBy: String
    /// When.
    public var createdAt: StoreTime

    /// Creates a hold.
    public init(threadID: String, reason: String, createdBy: String, createdAt: StoreTime) {
        self.threadID = threadID
        self.reason = reason
        self.createdBy = createdBy
        self.createdAt = createdAt
    }
}

/// What retention needs to know of a thread: metadata and counts, never content.
public struct ThreadSummary: Sendable, Equatable {
    /// The thread.
    public var thread: ThreadRecord
    /// Messages it holds.
    public var messageCount: Int
    /// Whether a legal hold stands on it.
    public var held: Bool
    /// When a survivor asked for it to be erased while a hold deferred it.
    public var eraseRequestedAt: StoreTime?

    /// Creates a summary.
    public init(thread: ThreadRecord, messageCount: Int, held: Bool, eraseRequestedAt: StoreTime?) {
        self.thread = thread
        self.messageCount = messageCount
        self.held = held
        self.eraseRequestedAt = eraseRequestedAt
    }
}

/// What one retention batch changed.
public struct RetentionBatchResult: Sendable, Equatable {
    /// Threads closed.
    public var closed = 0
    /// Threads whose content was destroyed.
    public var purgedThreads = 0
    /// Messages destroyed with them.
    public var purgedMessages = 0
    /// Erased threads' metadata rows deleted.
    public var metadataDeleted = 0

    /// Nothing changed.
    public init() {}
}

/// An audit event that could not be appended when it happened (the log was unwritable), kept so
/// that the action it records (an erasure) never waits on the log. Appended later, oldest first.
public struct PendingAuditRow: Sendable, Equatable {
    /// Order of recording.
    public var id: Int64
    /// The event as JSON (who, what, which thread, when; never content).
    public var event: String
    /// When it was recorded.
    public var createdAt: StoreTime

    /// Creates a pending row.
    public init(id: Int64, event: String, createdAt: StoreTime) {
        self.id = id
        self.event = event
        self.createdAt = createdAt
    }
}

/// A thread retention plans to close, with the last activity the plan saw: a thread that has had
/// activity since is left open.
public struct PlannedClose: Sendable, Equatable, Encodable {
    /// The thread.
    public var threadID: String
    /// Its last activity when planned.
    public var lastActivityAt: StoreTime

    /// Creates a planned close.
    public init(threadID: String, lastActivityAt: StoreTime) {
        self.threadID = threadID
        self.lastActivityAt = lastActivityAt
    }
}
