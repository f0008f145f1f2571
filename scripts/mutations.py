"""The safety mutations `scripts/mutate` applies, one at a time. Each breaks one rule of
../shared/PRODUCT.md on purpose; the test suite must fail for every one ("killed"). A mutation is a
list of edits; each edit's `find` must occur exactly once in its file."""

MUTATIONS = [
    {"name": "view decrypts before its audit event commits", "invariant": 2, "edits": [
        ("Sources/RelayCore/Staff/AdvocacyService+View.swift",
         "        let snapshot: ThreadSnapshot\n        do {\n",
         "        _ = try await sealing.decryptedMessages(threadID: threadID)\n        let snapshot: ThreadSnapshot\n        do {\n")]},
    {"name": "view shown although its audit write failed", "invariant": 2, "edits": [
        ("Sources/RelayCore/Staff/AdvocacyService+View.swift",
         "            logger.error(\"audit write failed; thread not shown\", metadata: [\"thread.id\": \"\\(threadID)\"])\n            throw AccessError.auditUnavailable",
         "            logger.error(\"audit write failed; thread not shown\", metadata: [\"thread.id\": \"\\(threadID)\"])\n            guard let unaudited = try await store.read({ try Self.snapshot(threadID: threadID, reader: $0) }) else { throw AccessError.notFound }\n            snapshot = unaudited")]},
    {"name": "compliance may open a thread", "invariant": 9, "edits": [
        ("Sources/RelayCore/Staff/AdvocacyService+View.swift",
         "    public func viewThread(threadID: String, by identity: StaffIdentity, purpose: String?) async throws -> ThreadView {\n        try AccessPolicy.requireWorkingRole(identity)",
         "    public func viewThread(threadID: String, by identity: StaffIdentity, purpose: String?) async throws -> ThreadView {\n        guard AccessPolicy.workingRoles.union([.compliance]).contains(identity.role) else { throw AccessError.forbidden }")]},
    {"name": "compliance may follow advocates' live events", "invariant": 9, "edits": [
        ("Sources/RelayServer/Routes/StaffRoutes.swift",
         "        guard AccessPolicy.workingRoles.contains(session.identity.role) else { throw APIError.forbidden }\n        let relay = self.relay",
         "        guard AccessPolicy.workingRoles.union([.compliance]).contains(session.identity.role) else { throw APIError.forbidden }\n        let relay = self.relay")]},
    {"name": "any Twilio signature accepted", "invariant": 10, "edits": [
        ("Sources/RelayCrypto/TwilioSignature.swift",
         "        Self.urlVariants(url).contains { variant in",
         "        !signature.isEmpty || Self.urlVariants(url).contains { variant in")]},
    {"name": "inbound message body logged", "invariant": 1, "edits": [
        ("Sources/RelayCore/Services/IntakeService+Ingest.swift",
         "            \"inbound message stored\",\n            metadata: [",
         "            \"inbound message stored\",\n            metadata: [\"body\": \"\\(String(decoding: body, as: UTF8.self))\",")]},
    {"name": "a redelivered MessageSid stored again", "invariant": 6, "edits": [
        ("Sources/RelayCore/Services/IntakeService+Ingest.swift",
         "            if let deliveryIndex, let existing = try await writer.message(deliveryIndex: deliveryIndex) {",
         "            if let deliveryIndex, let existing = try await writer.message(deliveryIndex: deliveryIndex), existing.id.isEmpty {")]},
    {"name": "outbox re-sends a reply left `sending` by a crash", "invariant": 7, "edits": [
        ("Sources/RelayStore/SQLite/SQLiteAccess+Channels.swift",
         "UPDATE outbox SET state = 'unknown', updated_at = ? WHERE state = 'sending'",
         "UPDATE outbox SET state = 'queued', updated_at = ? WHERE state = 'sending'")]},
    {"name": "SMS reply window always open", "invariant": 8, "edits": [
        ("Sources/RelayCore/Services/ReplyGate.swift",
         "            guard let closes = smsWindowCloses(thread, contact: contact), now <= closes else { return .windowClosed }\n        case (.webchat, _)",
         "            _ = smsWindowCloses(thread, contact: contact)\n        case (.webchat, _)")]},
    {"name": "do-not-contact not checked when a reply is queued", "invariant": 8, "edits": [
        ("Sources/RelayCore/Services/ReplyGate.swift",
         "        if contact.safety.doNotContact { return .doNotContact }\n",
         "")]},
    {"name": "monitored phone texted without an override", "invariant": 8, "edits": [
        ("Sources/RelayCore/Services/ReplyGate.swift",
         "            if contact.optedOut { return .optedOut }\n            if contact.safety.textNeedsOverride && !hasOverride { return .safetyOverrideRequired }\n",
         "            if contact.optedOut { return .optedOut }\n")]},
    {"name": "outbox ignores flags set after queuing", "invariant": 8, "edits": [
        ("Sources/RelayCore/Services/OutboxService+Dispatch.swift",
         "        if contact.safety.doNotContact { return .doNotContact }",
         "        if contact.safety.doNotContact && entry.attempts < 0 { return .doNotContact }")]},
    {"name": "erase keeps the thread's wrapped key (constraint relaxed)", "invariant": 3, "edits": [
        ("Sources/RelayStore/SQLite/SQLiteAccess.swift",
         "                UPDATE thread SET state = 'erased', wrapped_key = NULL, kek_version = NULL, key_version = NULL,\n                    erased_at = coalesce(erased_at, ?), closed_at = coalesce(closed_at, ?)\n                WHERE id = ?",
         "                UPDATE thread SET state = 'erased',\n                    erased_at = coalesce(erased_at, ?), closed_at = coalesce(closed_at, ?)\n                WHERE id = ?"),
        ("Sources/RelayStore/SQLite/SQLiteMigrations.swift",
         "                    CHECK ((state = 'erased') = (wrapped_key IS NULL))\n", "                    CHECK (1)\n")]},
    {"name": "retention purge keeps the thread's wrapped key (constraint relaxed)", "invariant": 3, "edits": [
        ("Sources/RelayStore/SQLite/SQLiteAccess+Compliance.swift",
         "                UPDATE thread SET state = 'erased', wrapped_key = NULL, kek_version = NULL, key_version = NULL,\n                    erased_at = coalesce(erased_at, ?2)",
         "                UPDATE thread SET state = 'erased',\n                    erased_at = coalesce(erased_at, ?2)"),
        ("Sources/RelayStore/SQLite/SQLiteMigrations.swift",
         "                    CHECK ((state = 'erased') = (wrapped_key IS NULL))\n", "                    CHECK (1)\n")]},
    {"name": "retention leaves contacts (keys, case records) behind", "invariant": 3, "edits": [
        ("Sources/RelayStore/SQLite/SQLiteAccess+Compliance.swift",
         "        try db.cachedStatement(sql: \"DELETE FROM contact WHERE \\(condition) AND ?2 IS NOT NULL\").execute(arguments: arguments)\n        return db.changesCount",
         "        return 0")]},
    {"name": "a blocked WAL truncation is not retried", "invariant": 3, "edits": [
        ("Sources/RelayCore/WALTruncation.swift",
         "        guard retry == nil, !stopped else { return }",
         "        guard retry == nil, !stopped, retry != nil else { return }")]},
    {"name": "webchat erase spends the rate-limit bucket", "invariant": 3, "edits": [
        ("Sources/RelayServer/Routes/WebchatRoutes.swift",
         "        await erasures.begin(session: session.streamKey)",
         "        guard await limiter.allow(scope: \"chat\", identity: session.contactID, bucket: configuration.rateLimits.perSender) else { throw APIError.rateLimited }\n        await erasures.begin(session: session.streamKey)")]},
    {"name": "SMS ERASE checked against the rate limit first", "invariant": 3, "edits": [
        ("Sources/RelayServer/Routes/TwilioRoutes.swift",
         "        if let keyword = SMSKeyword.match(body, settings: relay.settings) {",
         "        guard await limiter.allow(scope: \"sms\", identity: address.normalised, bucket: configuration.rateLimits.perSender) else { throw APIError.rateLimited }\n        if let keyword = SMSKeyword.match(body, settings: relay.settings) {")]},
    {"name": "erase refused when the audit log cannot be written", "invariant": 3, "edits": [
        ("Sources/RelayCore/Services/ErasureService+Contacts.swift",
         "            logger.error(\"audit log not writable; the erasure goes ahead and is audited later\")\n",
         "            logger.error(\"audit log not writable; the erasure goes ahead and is audited later\")\n            throw error\n")]},
    {"name": "a hold does not keep the contact and its case record", "invariant": 3, "edits": [
        ("Sources/RelayCore/Services/ErasureService+Contacts.swift",
         "        if defers, try await writer.isContactHeld(contactID: contactID), let contact = try await writer.contact(id: contactID) {",
         "        if defers, try await writer.isContactHeld(contactID: contactID), let contact = try await writer.contact(id: contactID), contact.id.isEmpty {")]},
    {"name": "a deferred erase leaves the survivor reachable", "invariant": 8, "edits": [
        ("Sources/RelayCore/Services/ErasureService+Contacts.swift", "            flags.doNotContact = true\n", "")]},
    {"name": "queue without each channel's longest wait pinned", "invariant": 11, "edits": [
        ("Sources/RelayCore/Staff/AdvocacyService+Queue.swift", "            if cursor == nil {", "            if cursor == nil && limit < 0 {")]},
    {"name": "no per-client admission for session starts, resumes and logins", "invariant": 11, "edits": [
        ("Sources/RelayServer/Routes/RequestSupport.swift",
         "        guard await limiter.allow(scope: \"client-\\(kind)\", identity: client, bucket: perClient, authenticated: false) else { throw APIError.rateLimited }\n",
         "")]},
    {"name": "webchat messages outside the global inbound limit", "invariant": 11, "edits": [
        ("Sources/RelayServer/Routes/WebchatRoutes.swift",
         "        guard await limiter.allow(scope: \"global\", identity: \"webchat-share\", bucket: share),\n            await limiter.allow(scope: \"global\", identity: \"inbound\", bucket: limits.global)\n        else { throw APIError.rateLimited }",
         "        _ = share")]},
    {"name": "a client address header believed from any peer", "invariant": 11, "edits": [
        ("Sources/RelayServer/Server/RelayRequestContext.swift",
         "        guard let header, trusted.contains(peer) else", "        guard let header else")]},
    {"name": "the queue pins a thread already answered", "invariant": 11, "edits": [
        ("Sources/RelayStore/SQLite/SQLiteAccess+Safety.swift",
         " AND coalesce(last_inbound_at, opened_at) >= last_activity_at\n", "\n")]},
    {"name": "the outbox sends after an erase or a flag since the claim", "invariant": 8, "edits": [
        ("Sources/RelayCore/Services/OutboxService+Dispatch.swift", "        guard found != nil else { return true }", "        guard found == nil else { return true }")]},
    {"name": "retention closes and purges a thread that just got a message", "invariant": 6, "edits": [
        ("Sources/RelayStore/SQLite/SQLiteAccess+Compliance.swift",
         "                  AND last_activity_at <= (\n",
         "                  AND 1 OR last_activity_at <= (\n"),
        ("Sources/RelayStore/SQLite/SQLiteAccess+Compliance.swift",
         "            let purgeable = \"(state = 'closed' OR erase_requested_at IS NOT NULL)\"", "            let purgeable = \"1\"")]},
    {"name": "quick exit leaves the session's live streams open", "invariant": 3, "edits": [
        ("Sources/RelayCore/Services/WebchatService+Sessions.swift", "        await events.endSession(session.streamKey)\n", "")]},
    {"name": "a survivor who asked to be erased can be texted while a hold keeps their data", "invariant": 8, "edits": [
        ("Sources/RelayCore/Services/ReplyGate.swift", "        if thread.eraseRequestedAt != nil { return .eraseRequested }\n", "")]},
    {"name": "a second ERASE under a hold is answered \"Done\"", "invariant": 3, "edits": [
        ("Sources/RelayCore/Services/IntakeService+Keywords.swift", "                    if let held = try await writer.contact(addressIndex: heldIndex) {",
         "                    if let held = try await writer.contact(addressIndex: heldIndex), held.id.isEmpty {")]},
    {"name": "authentication deletes an idled-out session, so a forgotten tab cannot erase", "invariant": 3, "edits": [
        ("Sources/RelayCore/Services/WebchatService+Sessions.swift",
         "isWebchatSessionCurrent(record, at: now) else {\n            throw RelayError.unauthorized",
         "isWebchatSessionCurrent(record, at: now) else {\n            _ = try? await store.write { try await $0.deleteWebchatSession(tokenIndex: tokenIndex) }\n            throw RelayError.unauthorized")]},
    {"name": "a purge leaves no durable marker for the truncation it owes", "invariant": 3, "edits": [
        ("Sources/RelayCore/Retention/RetentionService+Apply.swift",
         "                if result.purgedThreads > 0 || forgotten > 0 { try await writer.markMaintenanceDone(Self.truncationOwed, at: time) }\n", "")]},
    {"name": "strangers beyond the cap push signed senders into the overflow bucket", "invariant": 11, "edits": [
        ("Sources/RelayServer/Server/RateLimiter.swift", "        if !authenticated && buckets[key] == nil {", "        if buckets[key] == nil {")]},
    {"name": "an ended staff session's live stream goes on", "invariant": 9, "edits": [
        ("Sources/RelayCore/Staff/StaffService+Accounts.swift", "        return try? await store.read { reader -> Bool in\n",
         "        return try? await store.read { reader -> Bool in\n            if true { return true }\n")]},
    # Staff and operations hardening (issue 11).
    {"name": "one TOTP code sent at once opens several sessions", "invariant": 12, "edits": [
        ("Sources/RelayCore/Staff/StaffService+Accounts.swift",
         "let fresh = matchedStep.map { Int64($0) > (current.lastTOTPStep ?? -1) } ?? false",
         "let fresh = matchedStep != nil")]},
    {"name": "guesses in flight are not counted before the check", "invariant": 12, "edits": [
        ("Sources/RelayCore/Staff/LoginGuard.swift",
         "entry.failures + entry.inFlight < entry.allowance(threshold)", "entry.failures < entry.allowance(threshold)")]},
    {"name": "an unknown name costs no Argon2id check", "invariant": 10, "edits": [
        ("Sources/RelayCore/Staff/StaffService+Accounts.swift",
         "        let passwordOK = try await hashing.verify(", "        let passwordOK = account == nil ? false : try await hashing.verify(")]},
    {"name": "an unknown name is not written to the audit log (answers faster)", "invariant": 10, "edits": [
        ("Sources/RelayCore/Staff/StaffService+Accounts.swift",
         "                _ = try await AuditLog.append(AuditEvent(actor: \"unknown\", role: \"none\", action: \"session.login\", outcome: \"refused\"), at: now, writer: writer)\n",
         "")]},
    {"name": "a stranger's five failures lock the account for everyone", "invariant": 11, "edits": [
        ("Sources/RelayCore/Staff/StaffService+Accounts.swift",
         "if current.failedLogins >= settings.failuresBeforeAccountLock {", "if current.failedLogins >= settings.failuresBeforeLock {")]},
    {"name": "a case-record route reads the body before the token", "invariant": 10, "edits": [
        ("Sources/RelayServer/Routes/StaffRoutes.swift",
         "        staff.post(\"threads/:id/case/notes\") { request, context in",
         "        api.post(\"threads/:id/case/notes\") { request, context in")]},
    {"name": "other methods get 404 without Allow", "invariant": 10, "edits": [
        ("Sources/RelayServer/Server/Application+build.swift",
         "    if answeringOtherMethods { MethodNotAllowed.register(on: router) }\n", "")]},
    {"name": "Argon2id runs on the calling (cooperative) thread", "invariant": 11, "edits": [
        ("Sources/RelayCore/HashingPool.swift",
         "        guard admitted else { throw HashingBusy() }\n",
         "        guard admitted else { throw HashingBusy() }\n        defer { counters.withLock { $0.admitted -= 1; $0.completed += 1 } }\n        if concurrency > 0 { return try work() }\n")]},
    {"name": "every authenticated staff request writes its session", "invariant": 11, "edits": [
        ("Sources/RelayCore/Staff/StaffService+Accounts.swift",
         "touchIfDue(lastSeenAt: lastSeen, at: now)", "touchIfDue(lastSeenAt: 0, at: now)")]},
    {"name": "/healthz says 200 when the store cannot take writes", "invariant": 10, "edits": [
        ("Sources/RelayServer/Routes/HealthRoutes.swift",
         "            guard await writeProbe.writable(relay) else {", "            guard await writeProbe.writable(relay) || true else {")]},
    {"name": "the keyring stays in the process environment", "invariant": 1, "edits": [
        ("Sources/RelayCrypto/KeyringStore.swift", "        defer { clearEnvironmentValue(name) }\n", ""),
        ("Sources/saferelay/Commands/Serve.swift", "            KeyringStore.environmentVariable,\n        ] {", "        ] {")]},
    {"name": "serve starts on a database its keyring does not open", "invariant": 3, "edits": [
        ("Sources/saferelay/Commands/Serve.swift", "                try await relay.keys.verifyKeyringOpensStore()\n",
         "                try await Task.sleep(for: .zero)\n")]},
    {"name": "keys rotate runs beside a running server", "invariant": 3, "edits": [
        ("Sources/saferelay/Options/StoreLock.swift",
         "        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {", "        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 || true else {")]},
    {"name": "the store closes before the dispatcher and the scheduler stop", "invariant": 7, "edits": [
        ("Sources/RelayServer/Server/Application+build.swift",
         "    app.addServices(StoreLifecycleService(relay: relay, logger: logger))\n    app.addServices(ComplianceScheduler(relay: relay, policy: configuration.retentionPolicy, logger: logger))\n", ""),
        ("Sources/RelayServer/Server/Application+build.swift",
         "        app.addServices(OutboxDispatcher(relay: relay, client: sms, email: email, logger: logger))\n    }\n",
         "        app.addServices(OutboxDispatcher(relay: relay, client: sms, email: email, logger: logger))\n    }\n    app.addServices(ComplianceScheduler(relay: relay, policy: configuration.retentionPolicy, logger: logger))\n    app.addServices(StoreLifecycleService(relay: relay, logger: logger))\n")]},
    {"name": "/metrics answers any bearer token", "invariant": 5, "edits": [
        ("Sources/RelayCore/Support/BearerSecret.swift",
         "        ConstantTime.equals(SHA256.hash(Array(presented.utf8)), digest)\n", "        ConstantTime.equals(SHA256.hash(Array(presented.utf8)), digest) || true\n")]},
    {"name": "audit verify says OK without the witness", "invariant": 2, "edits": [
        ("Sources/saferelay/Commands/Audit/AuditVerify.swift", "            } else if checkpoint == nil {", "            } else if checkpoint == nil && false {")]},
    {"name": "a claim without a purpose is taken as first response", "invariant": 2, "edits": [
        ("Sources/RelayCore/Staff/AdvocacyService+Threads.swift",
         "        let parsed = settings.accessPurposes.parse(purpose)\n        let claimed", "        let parsed = settings.accessPurposes.parse(purpose ?? \"first_response\")\n        let claimed")]},
    {"name": "advocates see who opened what outside their assignment", "invariant": 9, "edits": [
        ("Sources/RelayServer/Routes/StaffRoutes.swift", "            if case .access = event { return supervisor }", "            if case .access = event { return true }")]},
    {"name": "a slow body holds its connection", "invariant": 10, "edits": [
        ("Sources/RelayServer/Server/ConnectionGuard.swift",
         "scheduleTask(in: requestTimeout) {\n                context.close(promise: nil)", "scheduleTask(in: requestTimeout) {\n                _ = context")]},
    {"name": "one client holds any number of connections", "invariant": 11, "edits": [
        ("Sources/RelayServer/Server/ConnectionGuard.swift", "        guard counts.open(key) else {", "        guard counts.open(key) || true else {")]},
    {"name": "the page does not catch up after its stream was away", "invariant": 11, "edits": [
        ("Sources/RelayServer/Pages/webchat/app.js", "      if (streamFailures > 0 || streamedBefore) {", "      if (false) {")]},
    {"name": "a supervisor moves a thread not theirs without a purpose", "invariant": 2, "edits": [
        ("Sources/RelayCore/Staff/AdvocacyService+Threads.swift",
         "            let purpose = try AccessPolicy.purpose(parsed, toOpen: thread, identity)\n            guard let target",
         "            let purpose = AccessPolicy.isOutsideAssignment(thread, identity) ? parsed : nil\n            guard let target")]},
    {"name": "a supervisor edits (and reads) a case record not theirs without a purpose", "invariant": 2, "edits": [
        ("Sources/RelayCore/Staff/CaseRecordService+Record.swift", "            let purpose = try AccessPolicy.purpose(parsed, toOpen: thread, identity)\n",
         "            let purpose = AccessPolicy.isOutsideAssignment(thread, identity) ? parsed : nil\n")]},
    {"name": "a resume phrase opens more than one session", "invariant": 12, "edits": [
        ("Sources/RelayCore/Services/WebchatService+Sessions.swift",
         "            guard try await writer.consumeResumePhrase(contactID: match.contactID, phraseHash: match.phraseHash) else { throw RelayError.unauthorized }\n", "")]},
    {"name": "the account backstop locks out the advocate's own machine", "invariant": 11, "edits": [
        ("Sources/RelayCore/Staff/StaffService+Accounts.swift", "            let locked = backstop && !knownDevice\n", "            let locked = backstop\n")]},
    {"name": "one session holds any number of live streams", "invariant": 11, "edits": [
        ("Sources/RelayCore/LiveEvents.swift",
         "            (sessionStreams[session]?.count ?? 0) < Self.maximumPerSession", "            (sessionStreams[session]?.count ?? 0) >= 0")]},
    {"name": "a /48 of IPv6 prefixes shares no bucket", "invariant": 11, "edits": [
        ("Sources/RelayServer/Routes/RequestSupport.swift",
         "        let wide = RelayRequestContext.wideKey(client)\n", "        let wide: String? = nil\n")]},
    {"name": "a busy store answers 500 instead of 503", "invariant": 10, "edits": [
        ("Sources/RelayServer/Server/ErrorTable.swift",
         "        case (let error, _) where StoreAvailability.isBusy(error):\n", "        case (let error, _) where StoreAvailability.isBusy(error) && false:\n")]},
    {"name": "a write waits another process's lock once per batch queued ahead of it", "invariant": 10, "edits": [
        ("Sources/RelayStore/SQLite/GroupCommit.swift",
         "                    let wait = max(earliest - .now, .milliseconds(10))\n", "                    let wait = self.lockPatience\n")]},
    {"name": "the console renders survivor text as HTML", "invariant": 10, "edits": [
        ("Sources/RelayServer/Pages/console/thread.js",
         "  if (text !== undefined) { node.textContent = text; }", "  if (text !== undefined) { node.innerHTML = text; }")]},
    {"name": "the console keeps its session token in web storage", "invariant": 1, "edits": [
        ("Sources/RelayServer/Pages/console/api.js",
         "  if (answer.ok) { token = answer.body.token; }", "  if (answer.ok) { token = answer.body.token; sessionStorage.setItem(\"saferelay\", token); }")]},
    {"name": "the console's idle end leaves the conversation in the page", "invariant": 1, "edits": [
        ("Sources/RelayServer/Pages/console/main.js", "    session.thread.forget();\n", "")]},
    {"name": "the view promises a webchat reply after the survivor's page has gone", "invariant": 8, "edits": [
        ("Sources/RelayCore/Staff/AdvocacyService+View.swift",
         "                snapshot.webchatSessionOpen = try await gate.webchatSessionOpen(for: snapshot.thread, at: now.storeTime, reader: writer)\n",
         "                snapshot.webchatSessionOpen = true\n")]},
    {"name": "first_response accepted for a thread someone else has", "invariant": 2, "edits": [
        ("Sources/RelayCore/Staff/AccessPolicy.swift",
         "        if parsed.code == firstResponse && thread.assignedTo != nil { throw AccessError.purposeDoesNotFit }\n", "")]},
    {"name": "PostgreSQL writes from several instances run at once (no writer lock)", "invariant": 2, "edits": [
        ("Sources/RelayStore/Postgres/PostgresStore.swift",
         "                    if writer { try await connection.query(\"SELECT pg_advisory_xact_lock(\\(Self.writerLock))\", logger: logger) }\n",
         "                    _ = writer\n")]},
    {"name": "a forged notice shows another person's message on a page", "invariant": 10, "edits": [
        ("Sources/RelayCore/Instances/SharedLiveEvents.swift",
         "                thread.contactID == contactID\n", "                thread.id == message.threadID && !contactID.isEmpty\n")]},
    {"name": "a notice of a content kind reaches the advocates' channel", "invariant": 2, "edits": [
        ("Sources/RelayCore/Instances/SharedLiveEvents.swift",
         "        if contentKinds.contains(notice.kind) && notice.channel == LiveEvents.staffChannel { return }\n", "")]},
    {"name": "a forged deletion notice is believed", "invariant": 10, "edits": [
        ("Sources/RelayCore/Instances/SharedLiveEvents.swift",
         "(try? await store.read({ try await $0.message(id: id) })) == .some(nil)", "(try? await store.read({ try await $0.message(id: id) })) != nil")]},
    {"name": "a forged erasure notice is believed", "invariant": 10, "edits": [
        ("Sources/RelayCore/Instances/SharedLiveEvents.swift", "            guard erased == true else { return }\n", "            guard erased != nil else { return }\n")]},
    {"name": "a send another instance has under way is taken for a crash at once", "invariant": 7, "edits": [
        ("Sources/RelayCore/Services/OutboxService+Dispatch.swift",
         "        let claimedBefore = store.isShared ? now.addingTimeInterval(-Self.inFlightLease).storeTime : .max\n",
         "        let claimedBefore: StoreTime = .max\n")]},
    {"name": "every instance believes it holds the scheduler lock", "invariant": 3, "edits": [
        ("Sources/RelayStore/Postgres/PostgresStore.swift",
         "    public func holdsSchedulerLock() async -> Bool {\n        await scheduler.isHeld()\n",
         "    public func holdsSchedulerLock() async -> Bool {\n        _ = await scheduler.isHeld()\n        return true\n")]},
    {"name": "the scheduler runs retention and checkpoints without the scheduler lock", "invariant": 3, "edits": [
        ("Sources/RelayServer/Server/ComplianceScheduler.swift",
         "                if (policy != nil && sinceRetention >= retentionInterval) || sinceCheckpoint >= checkpointInterval,\n                    await relay.operations.runsScheduledWork()\n",
         "                if (policy != nil && sinceRetention >= retentionInterval) || sinceCheckpoint >= checkpointInterval\n")]},
    {"name": "a store that cannot answer ends a session's live streams", "invariant": 10, "edits": [
        ("Sources/RelayServer/Routes/EventStream.swift",
         "                    let live = await isLive()\n", "                    let live: Bool? = await isLive() ?? false\n")]},
    {"name": "the scheduler lock's connection asks for no keepalives (a silent holder keeps it for hours)", "invariant": 3, "edits": [
        ("Sources/RelayStore/Postgres/PostgresStore.swift",
         "        listener.options.additionalStartupParameters = keepalives\n", "        _ = keepalives\n")]},
    # Issue 15: triage, blocks, the tip form, email and the voice menu.
    {"name": "an automatic answer ignores the reply rules", "invariant": 8, "edits": [
        ("Sources/RelayCore/Services/IntakeService+Triage.swift",
         "            if fits, gate.refusal(thread: thread, contact: contact, webchatSessionOpen: sessionOpen, at: now, hasOverride: false) == nil {\n",
         "            if fits {\n")]},
    {"name": "an automatic answer of a kind is sent twice in a conversation", "invariant": 7, "edits": [
        ("Sources/RelayCore/Services/IntakeService+Triage.swift",
         "        if answering, let answer = decision.answer, !answers.contains(answer.kind.rawValue) {\n", "        if answering, let answer = decision.answer {\n"),
        ("Sources/RelayCore/Triage/TriagePolicy.swift",
         "        if !decision.urgent, thread.priority == 0, !thread.advocateReplied, !thread.answered.contains(.redirect),\n", "        if !decision.urgent, thread.priority == 0, !thread.advocateReplied,\n")]},
    {"name": "an urgent message is redirected out of the queue", "invariant": 11, "edits": [
        ("Sources/RelayCore/Triage/TriagePolicy.swift",
         "        if !decision.urgent, thread.priority == 0, !thread.advocateReplied, !thread.answered.contains(.redirect),\n", "        if !thread.answered.contains(.redirect),\n")]},
    {"name": "a redirect hides a thread whose answer did not go out", "invariant": 11, "edits": [
        ("Sources/RelayCore/Services/IntakeService+Triage.swift",
         "        var redirectedAt: StoreTime? = nil\n", "        var redirectedAt: StoreTime? = decision.redirect != nil ? now : nil\n")]},
    {"name": "the tip form's number is texted by the default first answer", "invariant": 8, "edits": [
        ("Sources/RelayCore/Triage/TriageText.swift",
         "byChannel[channel] ?? (channel == .webform ? nil : fallback)", "byChannel[channel] ?? fallback")]},
    {"name": "a blocked contact's messages are stored", "invariant": 10, "edits": [
        ("Sources/RelayCore/Services/IntakeService+Ingest.swift",
         "            if let until = contact.blockedUntil, until > now { throw RelayError.contactBlocked }\n", "")]},
    {"name": "an advocate may block a contact", "invariant": 9, "edits": [
        ("Sources/RelayCore/Staff/AdvocacyService+Blocks.swift",
         "    public func block(threadID: String, hours: Int?, reason: String, by identity: StaffIdentity) async throws -> Date {\n        try AccessPolicy.requireSupervisor(identity)\n",
         "    public func block(threadID: String, hours: Int?, reason: String, by identity: StaffIdentity) async throws -> Date {\n        try AccessPolicy.requireWorkingRole(identity)\n")]},
    {"name": "the email webhook's signature is not checked", "invariant": 10, "edits": [
        ("Sources/RelayChannels/MailgunWebhookValidator.swift",
         "        guard signature.isValid(timestamp: timestamp, token: token, signature: presented) else { throw .badSignature }\n", "")]},
    {"name": "a stale email webhook is accepted", "invariant": 10, "edits": [
        ("Sources/RelayChannels/MailgunWebhookValidator.swift",
         "        guard abs(now.timeIntervalSince1970 - seconds) <= tolerance else { throw .stale }\n", "")]},
    {"name": "an email webhook's token may be replayed with another message", "invariant": 10, "edits": [
        ("Sources/RelayCore/Services/IntakeService+Ingest.swift",
         "                guard try await !writer.isHandled(deliveryIndex: oneTimeIndex) else { throw RelayError.unauthorized }\n", "")]},
    {"name": "the voice menu texts a protected number", "invariant": 8, "edits": [
        ("Sources/RelayCore/Services/IntakeService+Voice.swift",
         "                if ReplyGate(settings: settings).refusal(thread: thread, contact: contact, webchatSessionOpen: false, at: now, hasOverride: false) != nil {\n",
         "                if false {\n")]},
    {"name": "a repeated voice webhook texts the caller again", "invariant": 7, "edits": [
        ("Sources/RelayCore/Services/IntakeService+Voice.swift",
         "                guard try await !writer.isHandled(deliveryIndex: deliveryIndex) else { return (.duplicate, nil) }\n"
         "                guard try await !writer.isHandled(deliveryIndex: dayIndex) else { throw VoiceTextRefused() }\n", ""),
        # Each of the three guards alone stops a repeat (the call, the number's day, the conversation now open).
        ("Sources/RelayCore/Services/IntakeService+Voice.swift",
         "                if let known, try await writer.openThread(contactID: known.id, channel: .sms) != nil { throw VoiceTextRefused() }\n", "")]},
    {"name": "a repeated tip report is filed twice", "invariant": 6, "edits": [
        ("Sources/RelayCore/Services/IntakeService+Report.swift",
         "        let deliveryIndex = self.deliveryIndex(channel: .webform, deliveryID: idempotencyKey)\n",
         "        let deliveryIndex = self.deliveryIndex(channel: .webform, deliveryID: idempotencyKey + RandomToken.identifier())\n")]},
    {"name": "a redirect's answer that failed keeps hiding the person", "invariant": 11, "edits": [
        ("Sources/RelayCore/Services/OutboxService+Dispatch.swift",
         "            if entry.state == .failed || entry.state == .unknown { try await writer.unhideUndeliveredRedirects(threadID: entry.threadID) }\n", "")]},
    {"name": "a forged email sender writes into the verified sender's conversation", "invariant": 8, "edits": [
        ("Sources/RelayCore/Services/IntakeService+Email.swift", "        address.unverified = !email.senderVerified\n", "")]},
    {"name": "a call texts into a conversation already open", "invariant": 8, "edits": [
        ("Sources/RelayCore/Services/IntakeService+Voice.swift",
         "                if let known, try await writer.openThread(contactID: known.id, channel: .sms) != nil { throw VoiceTextRefused() }\n", "")]},
    {"name": "a trend report publishes counts of 1 to 5", "invariant": 1, "edits": [
        ("Sources/RelayCore/Trends/TrendTable.swift",
         "        var primaries = values.indices.filter { values[$0] > 0 && values[$0] < threshold }\n",
         "        var primaries = values.indices.filter { values[$0] > 5 && values[$0] < threshold }\n")]},
    {"name": "a trend report suppresses small cells but nothing that gives them away", "invariant": 1, "edits": [
        ("Sources/RelayCore/Trends/TrendTable.swift", "        guard secondary else { return }\n", "        return\n")]},
    {"name": "a witness pairs a month with one of another quarter as if they were siblings", "invariant": 1, "edits": [
        ("Sources/RelayCore/Trends/TrendHierarchy.swift",
         "        return children[parent[node]].filter { $0 != node }\n",
         "        return labels.indices.filter { level[$0] == level[node] && $0 != node }\n")]},
    {"name": "a witness may leave a cell it changes published", "invariant": 1, "edits": [
        ("Sources/RelayCore/Trends/TrendTable.swift",
         "            for (affected, _) in cells(of: witness(for: nodes(of: cell))) {\n",
         "            for (affected, _) in cells(of: witness(for: nodes(of: cell))).prefix(2) {\n")]},
    {"name": "advocates may run trend reports", "invariant": 9, "edits": [
        ("Sources/RelayCore/Trends/TrendService.swift",
         "        guard Self.readers.contains(identity.role) else { throw AccessError.forbidden }\n", "")]},
    {"name": "a trend report is made without its audit event", "invariant": 2, "edits": [
        ("Sources/RelayCore/Trends/TrendService.swift",
         "            try await auditLog.record(AuditEvent(actor: actor, role: role, action: \"trends.report\", details: details))\n", "")]},
    {"name": "a case record change adds to the counts without taking back the old one", "invariant": 1, "edits": [
        ("Sources/RelayCore/Staff/CaseRecordService+Record.swift",
         "                if let before = record.counted { try await writer.adjustTrendCount(before.counter, by: -1) }\n", "")]},
    {"name": "a reported quarter is made again from today's counters", "invariant": 1, "edits": [
        ("Sources/RelayCore/Trends/TrendService.swift",
         "            if !quarter.months.contains(where: covered.contains) { missing.append(TrendPeriod(quarter)) }\n",
         "            missing.append(TrendPeriod(quarter))\n"),
        ("Sources/RelayCore/Trends/TrendService.swift",
         "                    guard let period = TrendPeriod(record.period), !period.months.contains(where: covered.contains) else { continue }\n",
         "                    guard let period = TrendPeriod(record.period) else { continue }\n"),
        ("Sources/RelayStore/SQLite/SQLiteAccess+Trends.swift",
         "ON CONFLICT (period) DO NOTHING", "ON CONFLICT (period) DO UPDATE SET body = excluded.body")]},
]
