import RelayModel
import RelayStore

/// Every role and assignment check of the staff's use cases, in one place: who may work threads,
/// who may act on a given thread, who reads statistics and the audit log. A refusal is
/// `AccessError.forbidden`; a thread the caller may not know exists is `notFound` at the caller.
public enum AccessPolicy {
    /// Roles that work threads.
    public static let workingRoles: Set<Role> = [.advocate, .supervisor]

    /// Throws unless the caller's role works threads (advocate, supervisor).
    static func requireWorkingRole(_ identity: StaffIdentity) throws {
        guard workingRoles.contains(identity.role) else { throw AccessError.forbidden }
    }

    /// Whether `account` may be handed threads (active, in a working role).
    static func canWorkThreads(_ account: AccountRecord) -> Bool {
        !account.disabled && workingRoles.contains(account.role)
    }

    /// Whether the thread is outside the caller's assignment (opening it needs a purpose).
    static func isOutsideAssignment(_ thread: ThreadRecord, _ identity: StaffIdentity) -> Bool {
        thread.assignedTo != identity.accountID
    }

    /// The purpose code that means "answering a new contact from the queue": it fits only a thread
    /// nobody has claimed (or the caller's own).
    public static let firstResponse = "first_response"

    /// The purpose a caller opening `thread` gives, checked: `nil` when the thread is theirs (no
    /// purpose needed); otherwise the purpose, which must be given (`purposeRequired`) and must fit
    /// (`first_response` for a thread someone else claimed meanwhile is `purposeDoesNotFit`:
    /// the audit log would otherwise say a colleague's case was a new contact).
    static func purpose(_ parsed: AccessPurpose?, toOpen thread: ThreadRecord, _ identity: StaffIdentity) throws -> AccessPurpose? {
        guard isOutsideAssignment(thread, identity) else { return nil }
        guard let parsed else { throw AccessError.purposeRequired }
        if parsed.code == firstResponse && thread.assignedTo != nil { throw AccessError.purposeDoesNotFit }
        return parsed
    }

    /// Throws unless the caller works this thread (it is assigned to them) or supervises.
    static func requireMayAct(on thread: ThreadRecord, _ identity: StaffIdentity) throws {
        if isOutsideAssignment(thread, identity) && identity.role != .supervisor { throw AccessError.forbidden }
    }

    /// Throws unless the caller may claim the thread: nobody else has it, or they supervise.
    static func requireMayClaim(_ thread: ThreadRecord, _ identity: StaffIdentity) throws {
        if let owner = thread.assignedTo, owner != identity.accountID, identity.role != .supervisor { throw AccessError.forbidden }
    }

    /// Throws unless the caller supervises (queue statistics).
    static func requireSupervisor(_ identity: StaffIdentity) throws {
        guard identity.role == .supervisor else { throw AccessError.forbidden }
    }

    /// Throws unless the caller administers accounts.
    static func requireAdmin(_ identity: StaffIdentity) throws {
        guard identity.role == .admin else { throw AccessError.forbidden }
    }

    /// Throws unless the caller reads the audit log (compliance, admin): never content.
    static func requireAuditReader(_ identity: StaffIdentity) throws {
        guard identity.role == .compliance || identity.role == .admin else { throw AccessError.forbidden }
    }
}
