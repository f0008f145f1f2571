import Foundation
import RelayModel
import RelayStore

extension AdvocacyService {
    /// Blocks the person behind a thread for a while (an abusive contact): until it ends, their
    /// messages are not stored and get no answer; erase and opt-out still work. Only a supervisor
    /// places or lifts one, with a reason; both are audited with the thread's id, never the person's
    /// address. Keyed by the contact (its pseudonymous id), so it holds for every thread of theirs.
    /// - Parameters:
    ///   - hours: how long, 1 hour up to the triage policy's longest; `nil` takes its default.
    /// - Returns: when the block ends.
    public func block(threadID: String, hours: Int?, reason: String, by identity: StaffIdentity) async throws -> Date {
        try AccessPolicy.requireSupervisor(identity)
        let triage = settings.triage
        let longest = Int(triage.blockLongest / 3600)
        let seconds: TimeInterval
        if let hours {
            guard (1...max(1, longest)).contains(hours) else { throw RelayError.invalidInput("hours must be 1 to \(longest)") }
            seconds = TimeInterval(hours) * 3600
        } else {
            seconds = triage.blockDefault
        }
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...200).contains(reason.count) else { throw RelayError.invalidInput("a block needs a reason of 1 to 200 characters") }
        let now = clock.now()
        let until = now.addingTimeInterval(seconds)
        try await store.write { writer in
            guard let thread = try await writer.thread(id: threadID) else { throw AccessError.notFound }
            guard let contactID = thread.contactID, try await writer.contact(id: contactID) != nil else { throw RelayError.threadErased }
            try await writer.setBlock(contactID: contactID, until: until.storeTime)
            _ = try await AuditLog.append(
                AuditEvent(
                    actor: identity.name, role: identity.role.rawValue, action: "contact.block", threadID: thread.id, purpose: reason,
                    details: ["until": AuditEvent.timestamp(until)]),
                at: now, writer: writer)
        }
        return until
    }

    /// Lifts a block on the person behind a thread (supervisors), audited.
    public func unblock(threadID: String, by identity: StaffIdentity) async throws {
        try AccessPolicy.requireSupervisor(identity)
        let now = clock.now()
        try await store.write { writer in
            guard let thread = try await writer.thread(id: threadID) else { throw AccessError.notFound }
            guard let contactID = thread.contactID, try await writer.contact(id: contactID) != nil else { throw RelayError.threadErased }
            try await writer.setBlock(contactID: contactID, until: nil)
            _ = try await AuditLog.append(
                AuditEvent(actor: identity.name, role: identity.role.rawValue, action: "contact.unblock", threadID: thread.id), at: now, writer: writer)
        }
    }
}
