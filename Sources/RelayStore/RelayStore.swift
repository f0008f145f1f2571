import Foundation
import RelayModel

/// Read access inside one consistent snapshot.
public protocol StoreReader {
    /// The contact with this address index, if any.
    func contact(addressIndex: [UInt8]) throws -> ContactRecord?
    /// The contact with this id, if any.
    func contact(id: String) throws -> ContactRecord?
    /// The thread with this id, if any.
    func thread(id: String) throws -> ThreadRecord?
    /// The contact's open thread on a channel, if any.
    func openThread(contactID: String, channel: ChannelKind) throws -> ThreadRecord?
    /// A thread's messages, oldest first.
    func messages(threadID: String) throws -> [MessageRecord]
    /// The message delivered under this delivery index, if any.
    func message(deliveryIndex: [UInt8]) throws -> MessageRecord?
    /// How many data keys (threads and contacts) are wrapped under each KEK version.
    func wrappedKeyCounts() throws -> [UInt32: Int]
    /// Up to `limit` wrapped keys not under `kekVersion`, for rotation.
    func keys(notWrappedUnder kekVersion: UInt32, limit: Int) throws -> [OwnedKey]
    /// Up to `limit` wrapped keys under `kekVersion` (to check that a keyring opens this store).
    func keys(wrappedUnder kekVersion: UInt32, limit: Int) throws -> [OwnedKey]
    /// A message by id.
    func message(id: String) throws -> MessageRecord?
    /// Every thread of a contact, oldest first.
    func threads(contactID: String) throws -> [ThreadRecord]
    /// Whether a delivery that stored no message (a keyword) was already handled.
    func isHandled(deliveryIndex: [UInt8]) throws -> Bool
    /// The outbox entry of an outbound message.
    func outbox(messageID: String) throws -> OutboxRecord?
    /// The outbox states of these messages (those that have an entry), by message id: one query.
    func outboxStates(messageIDs: [String]) throws -> [String: OutboxState]
    /// The outbox entry with this provider id hash.
    func outbox(providerIndex: [UInt8]) throws -> OutboxRecord?
    /// Queued entries due at `time`, oldest first.
    func dueOutbox(at time: StoreTime, limit: Int) throws -> [OutboxRecord]
    /// A webchat session by token hash.
    func webchatSession(tokenIndex: [UInt8]) throws -> WebchatSessionRecord?
    /// Whether the contact has a webchat session seen at or after `time`.
    func hasWebchatSession(contactID: String, seenSince time: StoreTime) throws -> Bool
    /// Resume phrases whose first-word hash matches.
    func resumePhrases(lookupIndex: [UInt8]) throws -> [ResumePhraseRecord]
    /// How many events the audit log holds.
    func auditSize() throws -> Int64
    /// Up to `limit` audit events from `seq` on, in order.
    func auditEvents(from seq: Int64, limit: Int) throws -> [AuditRow]
    /// Streams every audit event from `seq` on, in order, without copying: `body` gets the position,
    /// the line's bytes (`nil` once pruned) and the 32-byte leaf hash. Used by verification and checkpoints.
    func forEachAuditLeaf(from seq: Int64, _ body: (Int64, UnsafeRawBufferPointer?, UnsafeRawBufferPointer) throws -> Void) throws
    /// Every checkpoint, smallest tree first.
    func auditCheckpoints() throws -> [CheckpointRow]
    /// Every legal hold.
    func holds() throws -> [HoldRecord]
    /// The hold on a thread, if any.
    func hold(threadID: String) throws -> HoldRecord?
    /// Whether a hold stands on any thread of the contact (a hold covers the whole contact).
    func isContactHeld(contactID: String) throws -> Bool
    /// Threads opened in [since, until) (for statistics), at most `limit`.
    func threads(openedSince since: StoreTime, until: StoreTime, limit: Int) throws -> [ThreadRecord]
    /// A contact's sealed case record.
    func sealedCaseRecord(contactID: String) throws -> Data?
    /// An account by login name.
    func account(name: String) throws -> AccountRecord?
    /// An account by id.
    func account(id: String) throws -> AccountRecord?
    /// Every account, by name.
    func accounts() throws -> [AccountRecord]
    /// The account a staff device token (by its keyed hash) belongs to, if any.
    func staffDeviceAccount(tokenIndex: [UInt8]) throws -> String?
    /// A staff session by token hash.
    func apiSession(tokenIndex: [UInt8]) throws -> APISessionRecord?
    /// Open threads (the queue), most urgent and longest waiting first, at most `limit`.
    func openThreads(limit: Int) throws -> [ThreadRecord]
    /// Open threads, those without a first response, and the earliest opening among those: one
    /// aggregate over the state index, for `/metrics`.
    func queueGauges() throws -> QueueGauges
    /// One page of the queue in its order (most urgent, then longest waiting, then id), after `cursor`.
    func queuePage(after cursor: QueueCursor?, limit: Int) throws -> [ThreadRecord]
    /// The open thread on `channel` whose survivor has waited longest, whatever its priority.
    func longestWaitingOpenThread(channel: ChannelKind) throws -> ThreadRecord?
    /// How many threads are open, by channel.
    func openThreadCounts() throws -> [ChannelKind: Int]
    /// Whether a contact address (by its index) was kept do-not-contact after its content was purged.
    func isSuppressed(addressIndex: [UInt8]) throws -> Bool
    /// Audit events recorded while the log could not be written, oldest first.
    func pendingAudit(limit: Int) throws -> [PendingAuditRow]
    /// How many audit events wait to be appended.
    func pendingAuditCount() throws -> Int
    /// Ids of contacts that have a case record, in id order after `contactID` ("" to start).
    func caseRecordContacts(after contactID: String, limit: Int) throws -> [String]
    /// Whether a one-time maintenance job has run.
    func isMaintenanceDone(_ name: String) throws -> Bool
    /// Audit events appended in [since, until) after position `afterSeq`, oldest first.
    func audit(since: StoreTime, until: StoreTime, afterSeq: Int64, limit: Int) throws -> [AuditRow]
    /// Up to `limit` thread summaries after `rowAfter` (0 to start), with the row number to continue from.
    func threadSummaries(after rowAfter: Int64, limit: Int) throws -> (summaries: [ThreadSummary], lastRow: Int64)
}

/// Write access inside one transaction: everything commits together or not at all.
public protocol StoreWriter: StoreReader {
    /// Inserts a new contact.
    func insert(_ contact: ContactRecord) throws
    /// Inserts a new thread.
    func insert(_ thread: ThreadRecord) throws
    /// Inserts a new message.
    func insert(_ message: MessageRecord) throws
    /// Records activity on a thread; `inbound` also moves its reply window.
    func touchThread(id: String, at time: StoreTime, inbound: Bool) throws
    /// Records or clears a contact's opt-out.
    func setOptedOut(contactID: String, _ value: Bool) throws
    /// Remembers a handled keyword delivery, so a redelivery does nothing.
    func markHandled(deliveryIndex: [UInt8], at time: StoreTime) throws
    /// Deletes one message (and its outbox entry). Returns false if it did not exist.
    func deleteMessage(id: String) throws -> Bool
    /// Deletes a contact: its wrapped key, sealed address, sessions and resume phrase.
    func deleteContact(id: String) throws
    /// Inserts an outbox entry.
    func insert(_ outbox: OutboxRecord) throws
    /// Replaces an outbox entry's mutable fields.
    func update(_ outbox: OutboxRecord) throws
    /// Turns every `sending` entry into `unknown` (after a crash). Returns how many.
    func markInFlightOutboxUnknown(at time: StoreTime) throws -> Int
    /// Inserts a webchat session.
    func insert(_ session: WebchatSessionRecord) throws
    /// Marks a session used.
    func touchWebchatSession(tokenIndex: [UInt8], at time: StoreTime) throws
    /// Ends one session. Returns false if it did not exist.
    func deleteWebchatSession(tokenIndex: [UInt8]) throws -> Bool
    /// Sets (replacing) a contact's resume phrase.
    func upsert(_ phrase: ResumePhraseRecord) throws
    /// Appends an audit event at exactly `seq` (which must be the current size).
    func appendAudit(_ row: AuditRow) throws
    /// Records a checkpoint.
    func insert(_ checkpoint: CheckpointRow) throws
    /// Removes the lines (not the leaf hashes) of audit events appended before `time`. Returns how many.
    func pruneAuditLines(before time: StoreTime) throws -> Int
    /// Places a hold (replacing its reason if one stands).
    func insert(_ hold: HoldRecord) throws
    /// Releases a hold. Returns false if there was none.
    func deleteHold(threadID: String) throws -> Bool
    /// Closes an open thread.
    func closeThread(id: String, at time: StoreTime) throws
    /// Records a survivor's erase request that a hold defers.
    func markEraseRequested(threadID: String, at time: StoreTime) throws
    /// Carries out one retention batch with set-based statements, skipping held threads (a hold on
    /// any thread of a contact covers all of them): closes the open threads in `close` whose last
    /// activity is still the one planned (a message since then keeps the thread open), crypto-shreds
    /// (key and messages) the threads in `purge` that are closed or whose erasure was requested, and
    /// deletes the metadata rows of erased threads in `deleteMetadata`.
    func applyRetentionBatch(close: [PlannedClose], purge: [String], deleteMetadata: [String], at time: StoreTime) throws -> RetentionBatchResult
    /// Stores (replacing) a contact's sealed case record.
    func storeCaseRecord(contactID: String, sealed: Data, at time: StoreTime) throws
    /// Replaces a contact's safety flags (they hold for all its threads, present and future).
    func setSafety(contactID: String, _ flags: ContactSafetyFlags) throws
    /// Ends every webchat session of a contact. Returns how many.
    @discardableResult
    func deleteWebchatSessions(contactID: String) throws -> Int
    /// Removes a contact's resume phrase.
    func deleteResumePhrase(contactID: String) throws
    /// Deletes the contact's resume phrase if it is still the one hashed as `phraseHash`; true when
    /// it was (a phrase is used once: of two uses at once, one finds it gone).
    func consumeResumePhrase(contactID: String, phraseHash: String) throws -> Bool
    /// Keeps a keyed hash of an address as do-not-contact after its contact is deleted (policy option).
    func suppress(addressIndex: Data, at time: StoreTime) throws
    /// Forgets a kept do-not-contact address hash (an advocate cleared the flag).
    func unsuppress(addressIndex: Data) throws
    /// Fails every queued outbox entry of the contact's threads with `code`. Returns how many.
    @discardableResult
    func failQueuedOutbox(contactID: String, code: String, at time: StoreTime) throws -> Int
    /// Replaces a contact's address index, so that nothing new from that address finds it again.
    func relinkAddress(contactID: String, to addressIndex: Data) throws
    /// Records that a one-time maintenance job has run (or, for a standing marker, that it is owed).
    func markMaintenanceDone(_ name: String, at time: StoreTime) throws
    /// Removes a maintenance marker.
    func clearMaintenance(_ name: String) throws
    /// Records an audit event that could not be appended, to append it later.
    func insertPendingAudit(event: String, at time: StoreTime) throws
    /// Removes pending audit events once appended.
    func deletePendingAudit(ids: [Int64]) throws
    /// Deletes every contact with nothing left to keep: no thread with content, no held thread, no
    /// webchat session, and (for a contact that never wrote) created before `idleBefore`. Its key,
    /// sealed address, case record and resume phrase go with it. With `keepDoNotContact`, the address
    /// index of a do-not-contact contact is kept first (``suppress(addressIndex:at:)``). Returns how many.
    func deleteContactsWithoutContent(idleBefore: StoreTime, keepDoNotContact: Bool, at time: StoreTime) throws -> Int
    /// ``deleteContactsWithoutContent(idleBefore:keepDoNotContact:at:)`` for the contacts of these
    /// threads only (a retention batch's own, in its own transaction). Returns how many.
    func deleteContactsWithoutContent(ofThreads threadIDs: [String], keepDoNotContact: Bool, at time: StoreTime) throws -> Int
    /// Deletes webchat sessions last seen before `webchatSeenBefore` and staff sessions last seen
    /// before `staffSeenBefore` or created before `staffCreatedBefore`. Returns how many.
    func deleteExpiredSessions(webchatSeenBefore: StoreTime, staffSeenBefore: StoreTime, staffCreatedBefore: StoreTime) throws -> Int
    /// Forgets handled-delivery records (keyword deduplication) older than `time`. Returns how many.
    func pruneHandledDeliveries(before time: StoreTime) throws -> Int
    /// Inserts an account.
    func insert(_ account: AccountRecord) throws
    /// Replaces an account's mutable fields.
    func update(_ account: AccountRecord) throws
    /// Inserts a staff session.
    func insert(_ session: APISessionRecord) throws
    /// Marks a staff session used.
    func touchAPISession(tokenIndex: [UInt8], at time: StoreTime) throws
    /// Ends one staff session. Returns false if it did not exist.
    func deleteAPISession(tokenIndex: [UInt8]) throws -> Bool
    /// Ends every session of an account.
    func deleteAPISessions(accountID: String) throws
    /// Remembers a device for an account, keeping its ten most recently used.
    func rememberStaffDevice(tokenIndex: [UInt8], accountID: String, at time: StoreTime) throws
    /// Forgets every device of an account (reset, disable).
    func forgetStaffDevices(accountID: String) throws
    /// Assigns a thread (or clears the assignment with `nil`).
    func assign(threadID: String, to accountID: String?) throws
    /// Records the first advocate reply on a thread.
    func markFirstResponse(threadID: String, at time: StoreTime) throws
    /// Raises a thread's priority to at least `priority`.
    func raisePriority(threadID: String, to priority: Int) throws
    /// Replaces a wrapped key (rotation). Returns false if the owner no longer has a key.
    @discardableResult
    func replaceKey(of owner: KeyOwner, with key: StoredKey, expectedKEKVersion: UInt32) throws -> Bool
    /// Destroys a thread's content: deletes its messages and its wrapped data key, marks it erased.
    /// Returns the number of messages deleted, or `nil` if there is no such thread.
    func eraseThread(id: String, at time: StoreTime) throws -> Int?
}

extension RelayStore {
    /// ``checkpointAndTruncate(patience:)`` waiting up to one second.
    public func checkpointAndTruncate() async throws {
        try await checkpointAndTruncate(patience: .seconds(1))
    }
}

/// The narrow storage protocol every backend implements (SQLite now, PostgreSQL later).
/// It stores ciphertext and keyed hashes only; it never sees a key.
public protocol RelayStore: Sendable {
    /// Runs `body` in a read-only snapshot.
    func read<T: Sendable>(_ body: @escaping @Sendable (any StoreReader) throws -> T) async throws -> T
    /// Runs `body` in one durable write transaction (committed with fsync before this returns).
    func write<T: Sendable>(_ body: @escaping @Sendable (any StoreWriter) throws -> T) async throws -> T
    /// Moves every WAL frame into the database file and truncates the WAL to zero bytes, so that
    /// erased pages live nowhere but in their overwritten form. Waits at most `patience` for readers
    /// on an older snapshot (writers wait meanwhile), then throws `StoreError.checkpointIncomplete`.
    func checkpointAndTruncate(patience: Duration) async throws
    /// Whether a write could start now: takes and at once releases the write lock, waiting at most
    /// `patience` for it. Writes nothing. For `/healthz`.
    func canTakeWrites(patience: Duration) async -> Bool
    /// Closes the store; later calls fail.
    func close() throws
}
