import Foundation
import Logging
import RelayCrypto
import RelayModel
import RelayStore

extension CaseRecordService {
    /// The case record of a thread's contact (empty if none yet), its safety showing what the relay
    /// enforces: a flag set on the contact another way (a kept do-not-contact hash, a survivor's
    /// deferred erase) shows as set, so that an advocate editing safety sees it and never clears it
    /// without meaning to. Callers audit the view first.
    func caseRecord(contactID: String, reader: any StoreReader) async throws -> CaseRecord {
        guard let contact = try await reader.contact(id: contactID) else { return CaseRecord() }
        return try open(try await reader.sealedCaseRecord(contactID: contactID), of: contact)
    }

    /// The case record sealed for `contact` (read in the same snapshot), opened in memory, with the
    /// contact's own safety flags shown as set (see ``caseRecord(contactID:reader:)``).
    func open(_ sealed: Data?, of contact: ContactRecord) throws -> CaseRecord {
        guard let stored = contact.key else { return CaseRecord() }
        var record = CaseRecord()
        if let sealed {
            let key = try envelope.unwrap(stored.wrapped, owner: contact.id)
            let plain = try envelope.open(sealed, with: key, context: .caseRecord(contact.id))
            record = try JSONDecoder().decode(CaseRecord.self, from: Data(plain))
        }
        if contact.safety.doNotContact { record.safety.doNotContact = true }
        if contact.safety.phoneMayBeMonitored { record.safety.phoneMayBeMonitored = true }
        if contact.safety.notSafeToText { record.safety.safeToText = false }
        return record
    }

    /// Reads a thread's case record for an advocate (audited first, like a thread view).
    public func view(threadID: String, by identity: StaffIdentity) async throws -> CaseRecord {
        try AccessPolicy.requireWorkingRole(identity)
        guard let thread = try await store.read({ try await $0.thread(id: threadID) }), let contactID = thread.contactID else { throw AccessError.notFound }
        try AccessPolicy.requireMayAct(on: thread, identity)
        do {
            try await auditLog.record(AuditEvent(actor: identity.name, role: identity.role.rawValue, action: "case.view", threadID: threadID))
        } catch {
            throw AccessError.auditUnavailable
        }
        let relay = self
        return try await store.read { try await relay.caseRecord(contactID: contactID, reader: $0) }
    }

    /// Changes a thread's case record; the change and its audit event commit together.
    public func change(threadID: String, _ change: CaseChange, by identity: StaffIdentity, purpose: String? = nil) async throws -> CaseRecord {
        try AccessPolicy.requireWorkingRole(identity)
        let now = clock.now()
        // A supervisor changing the record of a thread not theirs reads it too (the answer is the
        // whole record): the same purpose as for opening the thread.
        let parsed = settings.accessPurposes.parse(purpose)
        let relay = self
        @Sendable func bounded(_ text: String, _ limit: Int, _ what: String) throws -> String {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty, trimmed.count <= limit else { throw RelayError.invalidInput("\(what) must be 1 to \(limit) characters") }
            return trimmed
        }
        // Validate before touching anything.
        switch change {
        case .note(let text): _ = try bounded(text, 4_000, "a note")
        case .referral(let to, let outcome):
            _ = try bounded(to, 200, "a referral")
            guard CaseRecord.outcomes.contains(outcome) else { throw RelayError.invalidInput("outcome must be worked, did_not or unknown") }
        case .referralOutcome(_, let outcome):
            guard CaseRecord.outcomes.contains(outcome) else { throw RelayError.invalidInput("outcome must be worked, did_not or unknown") }
        case .safety(let safety):
            guard (safety.safeTimes?.count ?? 0) <= 200 else { throw RelayError.invalidInput("safe times are at most 200 characters") }
        case .tags(let tags):
            guard tags.count <= 25, tags.allSatisfy(CaseRecord.typology.contains) else {
                throw RelayError.invalidInput("tags must come from the typology (GET /api/v1/typology)")
            }
        case .profile(let region, let who):
            if let region, !settings.trends.offers(region: region) {
                throw RelayError.invalidInput("region must be one of the trends policy's regions (GET /api/v1/regions)")
            }
            if let who, !TrendKey.whoCodes.contains(who) {
                throw RelayError.invalidInput("reached_out_by must be one of: \(TrendKey.whoCodes.joined(separator: ", "))")
            }
        }
        let changed = try await store.write { writer -> (CaseRecord, Bool) in
            guard let thread = try await writer.thread(id: threadID), let contactID = thread.contactID,
                let contact = try await writer.contact(id: contactID), let stored = contact.key
            else { throw AccessError.notFound }
            try AccessPolicy.requireMayAct(on: thread, identity)
            let purpose = try AccessPolicy.purpose(parsed, toOpen: thread, identity)
            var record = try await relay.caseRecord(contactID: contactID, reader: writer)
            let stamp = now.rfc3339
            switch change {
            case .note(let text):
                record.notes.append(.init(id: RandomToken.identifier(), by: identity.name, at: stamp, text: try bounded(text, 4_000, "a note")))
            case .referral(let to, let outcome):
                record.referrals.append(.init(id: RandomToken.identifier(), to: try bounded(to, 200, "a referral"), outcome: outcome, at: stamp, by: identity.name))
            case .referralOutcome(let id, let outcome):
                guard let index = record.referrals.firstIndex(where: { $0.id == id }) else { throw AccessError.notFound }
                record.referrals[index].outcome = outcome
            case .safety(let safety):
                record.safety = safety
                // The flags that replies and the outbox check live on the contact itself.
                try await writer.setSafety(contactID: contactID, safety.flags)
                if contact.safety.doNotContact && !safety.doNotContact {
                    // A survivor who asked to be erased stays unreachable while a hold keeps their data.
                    guard try await writer.threads(contactID: contactID).allSatisfy({ $0.eraseRequestedAt == nil }) else {
                        throw RelayError.invalidInput("the survivor asked for their conversation to be erased: do-not-contact stays")
                    }
                    // Cleared on purpose (the view showed it set): a kept hash must not bring it back.
                    try await writer.unsuppress(addressIndex: contact.addressIndex)
                }
            case .tags(let tags):
                record.tags = Array(Set(tags)).sorted()
            case .profile(let region, let who):
                record.region = region
                record.reachedOutBy = who
            }
            // The trend counters follow the record in this transaction: what it added before is
            // taken back, what it adds now is counted (a purge later leaves the counts).
            // The month a case is counted in is the month it was first counted, kept as its fields
            // change: a correction moves its count within that month, never into another.
            let month = (record.countedSince ?? record.counted?.month).flatMap(TrendMonth.init) ?? TrendMonth(of: now)
            let trendKey = TrendKey.of(record, month: month, channel: contact.channel.rawValue)
            if trendKey != record.counted {
                if let before = record.counted { try await writer.adjustTrendCount(before.counter, by: -1) }
                if let trendKey { try await writer.adjustTrendCount(trendKey.counter, by: 1) }
                record.counted = trendKey
                if trendKey != nil, record.countedSince == nil { record.countedSince = month.description }
            }
            let key = try relay.envelope.unwrap(stored.wrapped, owner: contactID)
            let plain = try JSONEncoder().encode(record)
            let sealed = relay.envelope.seal(Array(plain), with: key, context: .caseRecord(contactID))
            try await writer.storeCaseRecord(contactID: contactID, sealed: Data(sealed), at: now.storeTime)
            _ = try await AuditLog.append(
                AuditEvent(
                    actor: identity.name, role: identity.role.rawValue, action: change.action, threadID: threadID,
                    purpose: purpose?.auditText),
                at: now, writer: writer)
            return (record, purpose != nil)
        }
        if changed.1, let parsed {
            await events.publish(.access(threadID: threadID, actor: identity.name, action: "case", purpose: parsed.code), to: LiveEvents.staffChannel)
        }
        return changed.0
    }

    /// Once per database: copies the safety considerations of case records written before the relay
    /// kept them on the contact (do not contact, monitored phone, not safe to text) onto their
    /// contacts, so that they are enforced. Flags already set stay set. Returns how many contacts changed.
    @discardableResult
    public func backfillContactSafety() async throws -> Int {
        let job = "contact-safety-from-case-records"
        guard try await !store.read({ try await $0.isMaintenanceDone(job) }) else { return 0 }
        let relay = self
        var cursor = ""
        var changed = 0
        while true {
            let after = cursor
            let page = try await store.read { try await $0.caseRecordContacts(after: after, limit: 500) }
            guard let last = page.last else { break }
            changed += try await store.write { writer -> Int in
                var count = 0
                for contactID in page {
                    guard let contact = try await writer.contact(id: contactID) else { continue }
                    let recorded = try await relay.caseRecord(contactID: contactID, reader: writer).safety.flags
                    let merged = ContactSafetyFlags(
                        doNotContact: contact.safety.doNotContact || recorded.doNotContact,
                        phoneMayBeMonitored: contact.safety.phoneMayBeMonitored || recorded.phoneMayBeMonitored,
                        notSafeToText: contact.safety.notSafeToText || recorded.notSafeToText)
                    if merged != contact.safety {
                        try await writer.setSafety(contactID: contactID, merged)
                        count += 1
                    }
                }
                return count
            }
            cursor = last
        }
        let now = clock.now().storeTime
        try await store.write { try await $0.markMaintenanceDone(job, at: now) }
        if changed > 0 { logger.notice("safety flags copied from case records to contacts", metadata: ["contacts.changed": "\(changed)"]) }
        return changed
    }
}
