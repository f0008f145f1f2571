import Foundation
import RelayModel
import RelayStore

/// A staff account as the core's callers see it: no hash, no sealed secret, no key.
public struct StaffAccount: Sendable, Equatable {
    /// Random id.
    public var id: String
    /// Login name.
    public var name: String
    /// Role.
    public var role: Role
    /// Disabled accounts cannot log in.
    public var disabled: Bool
    /// Whether enrolment is complete (a password is set).
    public var enrolled: Bool
    /// No login until then (the account's own backstop lock), if locked.
    public var lockedUntil: Date?
    /// When it was created.
    public var createdAt: Date

    /// Creates the view of a stored account.
    init(_ record: AccountRecord) {
        id = record.id
        name = record.name
        role = record.role
        disabled = record.disabled
        enrolled = record.passwordHash != nil
        lockedUntil = record.lockedUntil.map(Date.init(storeTime:))
        createdAt = Date(storeTime: record.createdAt)
    }

    /// One word for a listing: disabled, enrolment pending, locked (at `now`) or active.
    public func state(at now: Date) -> String {
        if disabled { return "disabled" }
        if !enrolled { return "enrolment pending" }
        if let lockedUntil, lockedUntil > now { return "locked" }
        return "active"
    }
}
