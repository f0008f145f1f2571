import Foundation
import RelayModel
import RelayStore

/// A legal hold: the thread is never purged while it stands.
public struct LegalHold: Sendable, Equatable {
    /// The held thread.
    public var threadID: String
    /// Why (a case or order reference; no personal data).
    public var reason: String
    /// Who placed it.
    public var placedBy: String
    /// When.
    public var placedAt: Date

    init(_ record: HoldRecord) {
        threadID = record.threadID
        reason = record.reason
        placedBy = record.createdBy
        placedAt = Date(storeTime: record.createdAt)
    }
}
