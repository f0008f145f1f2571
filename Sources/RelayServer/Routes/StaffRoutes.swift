import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import RelayCore
import RelayModel

/// The advocates' API under `/api/v1`: enrolment, login, the queue, the audited thread view,
/// replies and the compliance audit read. Every answer is JSON; 401/403/404 never reveal whether
/// another thread or account exists.
struct StaffRoutes {
    typealias Context = RelayRequestContext
    let relay: Relay
    let configuration: ServerConfiguration
    let limiter: RateLimiter
    /// Open live streams per staff account.
    let streams: ClientCounts

    static var purposeHeader: HTTPField.Name { HTTPField.Name("X-Access-Purpose")! }

    func register(on router: Router<Context>) {
        let api = router.group("api/v1")
        api.post("enrolment") { request, context in try await enrol(request, context: context) }
        api.post("sessions") { request, context in try await login(request, context: context) }
        // Everything else needs a staff session, judged before anything else is read.
        let staff = router.group("api/v1").add(middleware: StaffAuthenticator(relay: relay))
        staff.delete("sessions/current") { _, context in
            try await relay.staff.logout(try context.requireStaff())
            return RequestSupport.noContent
        }
        staff.get("queue") { request, context in try await queue(request, context: context) }
        staff.post("threads/:id/claim") { request, context in
            let session = try context.requireStaff()
            try await relay.advocacy.claim(threadID: try threadID(context), by: session.identity, purpose: request.headers[Self.purposeHeader])
            return RequestSupport.noContent
        }
        staff.post("threads/:id/close") { request, context in
            let session = try context.requireStaff()
            // The body is optional: `{"disposition": CODE}` from the hotline's wrap-up list.
            let body = try await RequestSupport.body(of: request, limit: 4096)
            let input = body.readableBytes == 0 ? CloseInput(disposition: nil) : try RequestSupport.decodeJSON(CloseInput.self, from: body)
            try await relay.advocacy.close(threadID: try threadID(context), by: session.identity, disposition: input.disposition)
            return RequestSupport.noContent
        }
        staff.get("threads/:id") { request, context in try await view(request, context: context) }
        staff.post("threads/:id/block") { request, context in
            let session = try context.requireStaff()
            let input = try await input(BlockInput.self, request)
            let until = try await relay.advocacy.block(threadID: try threadID(context), hours: input.hours, reason: input.reason, by: session.identity)
            return try RequestSupport.json(BlockAnswer(blocked_until: until.rfc3339))
        }
        staff.delete("threads/:id/block") { _, context in
            let session = try context.requireStaff()
            try await relay.advocacy.unblock(threadID: try threadID(context), by: session.identity)
            return RequestSupport.noContent
        }
        staff.post("threads/:id/replies") { request, context in try await reply(request, context: context) }
        staff.get("audit") { request, context in try await auditRead(request, context: context) }
        staff.get("events") { _, context in try await events(context: context) }
        staff.post("threads/:id/transfer") { request, context in
            let session = try context.requireStaff()
            let input = try await input(TransferInput.self, request)
            try await relay.advocacy.transfer(threadID: try threadID(context), to: input.to, by: session.identity, purpose: request.headers[Self.purposeHeader])
            return RequestSupport.noContent
        }
        staff.get("stats") { _, context in
            let stats = try await relay.advocacy.statistics(by: try context.requireStaff().identity)
            return try RequestSupport.json(StatisticsAnswer(stats))
        }
        staff.get("purposes") { _, _ in
            let purposes = relay.settings.accessPurposes
            return try RequestSupport.json(PurposesAnswer(purposes: purposes.labels.keys.sorted().map {
                .init(code: $0, label: purposes.labels[$0]!, needs_note: purposes.needingNote.contains($0))
            }))
        }
        registerAccounts(on: staff)
        staff.get("typology") { _, _ in try RequestSupport.json(TypologyAnswer(tags: CaseRecord.typology)) }
        staff.get("canned-responses") { _, context in
            _ = try context.requireStaff()
            return try RequestSupport.json(CannedAnswer(responses: relay.settings.consoleTexts.canned))
        }
        staff.get("dispositions") { _, context in
            _ = try context.requireStaff()
            return try RequestSupport.json(DispositionsAnswer(
                dispositions: relay.settings.consoleTexts.dispositions.map { .init(code: $0.code, label: $0.label) }))
        }
        staff.post("threads/:id/case/notes") { request, context in
            let input = try await input(NoteInput.self, request)
            return try await change(request, context, .note(input.text))
        }
        staff.post("threads/:id/case/referrals") { request, context in
            let input = try await input(ReferralInput.self, request)
            return try await change(request, context, .referral(to: input.to, outcome: input.outcome))
        }
        staff.put("threads/:id/case/referrals/:referral") { request, context in
            guard let referral = context.parameters.get("referral"), referral.count <= 64 else { throw APIError.notFound }
            let input = try await input(OutcomeInput.self, request)
            return try await change(request, context, .referralOutcome(id: referral, outcome: input.outcome))
        }
        staff.put("threads/:id/case/safety") { request, context in
            let input = try await input(SafetyWire.self, request)
            return try await change(request, context, .safety(input.safety))
        }
        staff.put("threads/:id/case/tags") { request, context in
            let input = try await input(TagsInput.self, request)
            return try await change(request, context, .tags(input.tags))
        }
        staff.put("threads/:id/case/profile") { request, context in
            let input = try await input(ProfileInput.self, request)
            return try await change(request, context, .profile(region: input.region, reachedOutBy: input.reached_out_by))
        }
        registerTrends(on: staff)
    }

    /// `GET /api/v1/events`: live ids for the working roles.
    func events(context: Context) async throws -> Response {
        let session = try context.requireStaff()
        guard AccessPolicy.workingRoles.contains(session.identity.role) else { throw APIError.forbidden }
        let relay = self.relay
        // One person holds at most a few streams, however many sessions they log in: nobody can
        // take the staff channel's slots, and with them the supervisors' live view.
        let account = session.identity.accountID
        let streams = self.streams
        guard streams.open(account) else { throw APIError(.tooManyRequests, code: "rate_limited", message: "too many open event streams") }
        // Accesses outside an assignment are for supervisors' eyes.
        let supervisor = session.identity.role == .supervisor
        return try await EventStream.response(
            events: relay.events, channel: LiveEvents.staffChannel, session: session.streamKey, recheckEvery: configuration.staffStreamRecheck,
            unknownLimit: configuration.streamUnknownLimit,
            shows: { event in
                if case .access = event { return supervisor }
                return true
            },
            onEnd: { streams.close(account) }
        ) { await relay.staff.isLive(session) }
    }

    // MARK: - Sign-in

    /// Staff logins and enrolments: the client's own bucket, then the shared backstop.
    func admit(_ request: Request, context: Context) async throws {
        let limits = configuration.rateLimits
        try await RequestSupport.admit(
            request, context, configuration, limiter: limiter, kind: "login", perClient: limits.perClientLogins, overall: limits.staffLogins)
    }

    func enrol(_ request: Request, context: Context) async throws -> Response {
        try await admit(request, context: context)
        let input = try RequestSupport.decodeJSON(EnrolInput.self, from: try await RequestSupport.body(of: request, limit: 4096))
        let result = try await relay.staff.enrol(name: input.name, secret: input.secret, password: input.password)
        return try RequestSupport.json(EnrolAnswer(totp_secret: result.totpSecret, otpauth_uri: result.otpauthURI), status: .created)
    }

    /// The client's own buckets first; then, once the (bounded) body is read, the global bucket: a
    /// machine carrying one of the staff's device tokens draws on a bucket of its own, so that a
    /// flood of strangers' logins cannot keep the night shift out.
    func login(_ request: Request, context: Context) async throws -> Response {
        let limits = configuration.rateLimits
        try await RequestSupport.admit(request, context, configuration, limiter: limiter, kind: "login", perClient: limits.perClientLogins, overall: nil)
        let input = try RequestSupport.decodeJSON(LoginInput.self, from: try await RequestSupport.body(of: request, limit: 4096))
        let known = await relay.staff.isKnownDevice(input.device)
        guard await limiter.allow(scope: "global", identity: known ? "login-device" : "login", bucket: limits.staffLogins) else { throw APIError.rateLimited }
        let client = RequestSupport.client(request, context, configuration)
        let login = try await relay.staff.login(name: input.name, password: input.password, code: input.code, client: client, device: input.device)
        return try RequestSupport.json(
            LoginAnswer(token: login.token, role: login.identity.role.rawValue, expires_at: login.expiresAt.rfc3339, device: login.device),
            status: .created)
    }

    // MARK: - Work

    func threadID(_ context: Context) throws -> String {
        guard let id = context.parameters.get("id"), (1...64).contains(id.count) else { throw APIError.notFound }
        return id
    }

    /// `GET /api/v1/queue?limit=N&after=CURSOR`: a page of the queue; the first starts with each
    /// channel's longest-waiting contact (`pinned`).
    func queue(_ request: Request, context: Context) async throws -> Response {
        let session = try context.requireStaff()
        let query = request.uri.queryParameters
        let limit = try Self.limit(request, default: 50, maximum: AdvocacyService.maximumQueuePage)
        var cursor: QueueCursor?
        if let text = query["after"] {
            guard let parsed = Self.cursor(String(text)) else { throw APIError(.badRequest, code: "invalid_cursor", message: "after must be a cursor from `next`") }
            cursor = parsed
        }
        let page = try await relay.advocacy.queue(for: session.identity, after: cursor, limit: limit)
        return try RequestSupport.json(QueueAnswer(
            threads: page.items.map {
                .init(thread: $0.threadID, pseudonym: $0.pseudonym, channel: $0.channel.rawValue, waiting_since: $0.waitingSince.rfc3339,
                      priority: $0.priority, assigned_to: $0.assignedTo, pinned: $0.pinned,
                      language: $0.language?.rawValue)
            },
            next: page.next.map(Self.cursorText),
            waiting: Dictionary(uniqueKeysWithValues: ChannelKind.allCases.map { ($0.rawValue, page.waiting[$0] ?? 0) })))
    }

    /// A page size from `?limit=`: `fallback` when absent, else 1 to `maximum` (400 otherwise).
    static func limit(_ request: Request, default fallback: Int, maximum: Int) throws -> Int {
        guard let text = request.uri.queryParameters["limit"] else { return fallback }
        guard let value = Int(text), (1...maximum).contains(value) else {
            throw APIError(.badRequest, code: "invalid_limit", message: "limit must be 1 to \(maximum)")
        }
        return value
    }

    /// A cursor as text: `priority.waitingSinceMilliseconds.threadID`.
    static func cursorText(_ cursor: QueueCursor) -> String {
        "\(cursor.priority).\(cursor.waitingSince).\(cursor.threadID)"
    }

    static func cursor(_ text: String) -> QueueCursor? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard text.count <= 120, parts.count == 3, let priority = Int(parts[0]), let since = Int64(parts[1]),
            (1...64).contains(parts[2].count), parts[2].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
        else { return nil }
        return QueueCursor(priority: priority, waitingSince: since, threadID: String(parts[2]))
    }

    static func views(_ messages: [ThreadMessageView]) -> [MessageView] {
        messages.map {
            MessageView(
                id: $0.message.id, from: $0.message.direction == .inbound ? "survivor" : "advocate", text: $0.message.body,
                at: $0.message.createdAt.rfc3339, delivery: $0.deliveryState?.rawValue)
        }
    }

    func view(_ request: Request, context: Context) async throws -> Response {
        let session = try context.requireStaff()
        let id = try threadID(context)
        let purpose = request.headers[Self.purposeHeader]
        let view = try await relay.advocacy.viewThread(threadID: id, by: session.identity, purpose: purpose)
        return try RequestSupport.json(ThreadAnswer(
            thread: view.thread.id, pseudonym: view.pseudonym, channel: view.thread.channel.rawValue, state: view.thread.state.rawValue,
            do_not_contact: view.safety.doNotContact, text_needs_override: view.safety.textNeedsOverride, messages: Self.views(view.messages),
            earlier: view.earlier.map { .init(thread: $0.thread.id, opened_at: $0.thread.openedAt.rfc3339, messages: Self.views($0.messages)) },
            case_record: CaseRecordAnswer(view.caseRecord),
            reply_window_closes_at: view.replyWindowClosesAt?.rfc3339,
            opted_out: view.optedOut, erase_requested: view.eraseRequested, reply_refusal: view.replyRefusal?.rawValue,
            language: view.thread.language?.rawValue, redirected: view.thread.redirectedAt != nil, blocked_until: view.blockedUntil?.rfc3339))
    }

    func reply(_ request: Request, context: Context) async throws -> Response {
        let session = try context.requireStaff()
        let id = try threadID(context)
        let input = try RequestSupport.decodeJSON(ReplyInput.self, from: try await RequestSupport.body(of: request, limit: 32 * 1024))
        let receipt = try await relay.advocacy.reply(threadID: id, text: input.text, by: session.identity, override: input.override_reason)
        return try RequestSupport.json(ReplyAnswer(id: receipt.messageID, status: receipt.outboxState?.rawValue ?? "delivered"), status: .created)
    }

    func input<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        try RequestSupport.decodeJSON(T.self, from: try await RequestSupport.body(of: request, limit: 32 * 1024))
    }

    /// Applies a case-record change and answers with the whole record.
    func change(_ request: Request, _ context: Context, _ change: CaseChange) async throws -> Response {
        let session = try context.requireStaff()
        let id = try threadID(context)
        let purpose = request.headers[Self.purposeHeader]
        let record = try await relay.caseRecords.change(threadID: id, change, by: session.identity, purpose: purpose)
        return try RequestSupport.json(CaseRecordAnswer(record))
    }

    func auditRead(_ request: Request, context: Context) async throws -> Response {
        let session = try context.requireStaff()
        let query = request.uri.queryParameters
        func time(_ name: String, default value: Date) throws -> Date {
            guard let text = query[name[...]] else { return value }
            guard let date = try? Date(String(text), strategy: .iso8601) else {
                throw APIError(.badRequest, code: "invalid_time", message: "\(name) must be RFC 3339")
            }
            return date
        }
        let since = try time("since", default: Date(timeIntervalSince1970: 0))
        let until = try time("until", default: Date.distantFuture)
        let actor = query["actor"].map(String.init)
        let thread = query["thread"].map(String.init)
        guard (actor?.count ?? 0) <= 64, (thread?.count ?? 0) <= 64 else {
            throw APIError(.badRequest, code: "invalid_filter", message: "actor and thread are at most 64 characters")
        }
        let limit = try Self.limit(request, default: 100, maximum: AuditLog.maximumAuditPage)
        var after: Int64?
        if let text = query["after"] {
            guard let value = Int64(text), value >= 0 else { throw APIError(.badRequest, code: "invalid_cursor", message: "after must be a cursor from `next`") }
            after = value
        }
        let page = try await relay.auditLog.events(by: session.identity, since: since, until: until, actor: actor, threadID: thread, after: after, limit: limit)
        // Each event is its stored canonical JSON object, inserted as it is (not re-encoded), so a
        // reader can hash it and check it against an exported checkpoint.
        let body = #"{"events":["# + page.events.map(\.line).joined(separator: ",") + #"],"next":"#
            + (page.next.map { #""\#($0)""# } ?? "null") + "}"
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
