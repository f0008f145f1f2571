import Foundation
import Logging
import RelayCrypto
import RelayModel
import RelayStore

/// Who a staff request comes from.
public struct StaffIdentity: Sendable, Equatable {
    /// Account id.
    public let accountID: String
    /// Login name.
    public let name: String
    /// Role.
    public let role: Role
}

/// An authenticated staff session.
public struct StaffSession: Sendable, Equatable {
    /// Keyed hash of its bearer token.
    public let tokenIndex: [UInt8]
    /// Who.
    public let identity: StaffIdentity

    /// The name its live streams are registered under (a keyed hash: no token).
    public var streamKey: String { "staff:" + Hex.encode(tokenIndex) }
}

/// Why staff authentication failed. Messages never say whether an account exists.
public enum StaffAuthError: Error, Equatable, CustomStringConvertible {
    /// Wrong name, password or code, a locked or disabled account: all look the same from outside.
    case invalidCredentials
    /// The session is unknown, expired or ended.
    case sessionInvalid
    /// The enrolment secret is wrong, used or expired.
    case enrolmentInvalid
    /// The password is refused, with the reason.
    case weakPassword(String)

    public var description: String {
        switch self {
        case .invalidCredentials: "name, password or code not accepted"
        case .sessionInvalid: "unknown, expired or ended session"
        case .enrolmentInvalid: "enrolment secret not accepted"
        case .weakPassword(let why): why
        }
    }
}

/// What enrolment hands back once: the TOTP secret for an authenticator app.
public struct EnrolmentResult: Sendable, Equatable {
    /// Base32 secret.
    public let totpSecret: String
    /// `otpauth://` URI (for a QR code).
    public let otpauthURI: String
}

/// A new staff session.
public struct StaffLogin: Sendable, Equatable {
    /// The 256-bit bearer token (shown once).
    public let token: String
    /// Who.
    public let identity: StaffIdentity
    /// When it ends at the latest.
    public let expiresAt: Date
    /// A new device token for this machine to keep and send with later logins (`nil` when the
    /// login already carried one of this account's).
    public var device: String? = nil
}

extension StaffService {
    var staffHasher: PasswordHasher {
        switch settings.phraseHashCost {
        case .interactive: PasswordHasher(cost: .interactive)
        case .minimal: PasswordHasher(cost: .init(operations: 1, memory: 8 * 1024 * 1024))
        }
    }

    // MARK: - Administration (the command line, or an admin through the API)

    /// Who makes an administrative change, for its audit event: the command line (`nil`), or an
    /// admin signed in through the API (their name; any other role is refused).
    func administrator(_ identity: StaffIdentity?) throws -> String {
        guard let identity else { return "cli" }
        try AccessPolicy.requireAdmin(identity)
        return identity.name
    }

    /// Creates an account and returns its one-time enrolment secret.
    public func createAccount(name: String, role: Role, by identity: StaffIdentity? = nil) async throws -> String {
        let actor = try administrator(identity)
        guard (2...64).contains(name.count), name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
            throw RelayError.invalidInput("a name is 2 to 64 letters, digits, dots, dashes or underscores")
        }
        let secret = RandomToken.bearer()
        let hash = try await hashing.hash(secret, with: staffHasher)
        let now = clock.now()
        let expires = now.addingTimeInterval(settings.enrolmentLifetime).storeTime
        try await store.write { writer in
            guard try await writer.account(name: name) == nil else { throw RelayError.invalidInput("an account with that name exists") }
            try await writer.insert(AccountRecord(
                id: RandomToken.identifier(), name: name, role: role, enrolmentHash: hash, enrolmentExpiresAt: expires,
                createdAt: now.storeTime))
            _ = try await AuditLog.append(
                AuditEvent(actor: actor, role: "admin", action: "account.add", details: ["account": name, "role": role.rawValue]), at: now, writer: writer)
        }
        return secret
    }

    /// Clears an account's password and TOTP, ends its sessions, and returns a new enrolment secret.
    /// A disabled account stays disabled (``enableAccount(name:)`` lifts that, separately).
    /// An admin cannot reset their own account from the API: it would end their session, and with it
    /// the new secret on their screen.
    public func resetAccount(name: String, by identity: StaffIdentity? = nil) async throws -> String {
        let actor = try administrator(identity)
        if let identity, identity.name == name { throw RelayError.invalidInput("you cannot reset your own account here; another admin or the command line can") }
        let secret = RandomToken.bearer()
        let hash = try await hashing.hash(secret, with: staffHasher)
        let expires = clock.now().addingTimeInterval(settings.enrolmentLifetime).storeTime
        try await changeAccount(name: name, action: "account.reset", actor: actor, endingSessions: true) { account in
            account.passwordHash = nil
            account.sealedTOTP = nil
            account.key = nil
            account.enrolmentHash = hash
            account.enrolmentExpiresAt = expires
            account.failedLogins = 0
            account.lockedUntil = nil
        }
        return secret
    }

    /// Disables an account and ends its sessions.
    /// An admin cannot disable their own account from the API (nobody would be left to undo it).
    public func disableAccount(name: String, by identity: StaffIdentity? = nil) async throws {
        let actor = try administrator(identity)
        if let identity, identity.name == name { throw RelayError.invalidInput("you cannot disable your own account") }
        try await changeAccount(name: name, action: "account.disable", actor: actor, endingSessions: true, keepingAnAdmin: true) { $0.disabled = true }
    }

    /// Lifts ``disableAccount(name:)``: the account works again with its password and authenticator.
    public func enableAccount(name: String, by identity: StaffIdentity? = nil) async throws {
        let actor = try administrator(identity)
        try await changeAccount(name: name, action: "account.enable", actor: actor, endingSessions: false) { $0.disabled = false }
    }

    /// Lifts the account's backstop lock and clears its failure count (guessing from many places
    /// locked it; the advocate's own machine still gets in with its device token meanwhile).
    public func unlockAccount(name: String, by identity: StaffIdentity? = nil) async throws {
        let actor = try administrator(identity)
        try await changeAccount(name: name, action: "account.unlock", actor: actor, endingSessions: false) { account in
            account.lockedUntil = nil
            account.failedLogins = 0
        }
    }

    /// One administrative change to an account, audited (by `actor`) in the same transaction;
    /// `endingSessions` also ends its sessions and forgets its devices.
    private func changeAccount(
        name: String, action: String, actor: String, endingSessions: Bool, keepingAnAdmin: Bool = false, _ change: @escaping @Sendable (inout AccountRecord) -> Void
    ) async throws {
        let now = clock.now()
        try await store.write { writer in
            guard var account = try await writer.account(name: name) else { throw RelayError.invalidInput("no such account") }
            // Decided in the same transaction: two admins disabling each other at once leave one.
            if keepingAnAdmin, account.role == .admin, !account.disabled {
                let others = try await writer.accounts().filter { $0.role == .admin && !$0.disabled && $0.id != account.id }
                guard !others.isEmpty else { throw RelayError.invalidInput("the last enabled admin cannot be disabled") }
            }
            change(&account)
            try await writer.update(account)
            if endingSessions {
                try await writer.deleteAPISessions(accountID: account.id)
                try await writer.forgetStaffDevices(accountID: account.id)
            }
            _ = try await AuditLog.append(AuditEvent(actor: actor, role: "admin", action: action, details: ["account": name]), at: now, writer: writer)
        }
    }

    /// Every account (for an admin, when `identity` is given).
    public func accounts(by identity: StaffIdentity? = nil) async throws -> [StaffAccount] {
        _ = try administrator(identity)
        return try await store.read { try await $0.accounts() }.map(StaffAccount.init)
    }

    // MARK: - Enrolment and login

    /// Completes enrolment: checks the one-time secret, sets the password, and returns the TOTP secret once.
    /// Unknown names, used secrets and disabled accounts cost the same Argon2id check as a real one.
    public func enrol(name: String, secret: String, password: String) async throws -> EnrolmentResult {
        if let problem = PasswordPolicy.problem(with: password, accountName: name) { throw StaffAuthError.weakPassword(problem) }
        let hasher = staffHasher
        let dummy = try await loginGuard.dummyHash(pool: hashing, hasher: hasher)
        let account = name.count <= 64 ? try await store.read({ try await $0.account(name: name) }) : nil
        let usable = account.flatMap { account -> String? in
            guard let enrolment = account.enrolmentHash, let expires = account.enrolmentExpiresAt, expires >= clock.now().storeTime,
                !account.disabled
            else { return nil }
            return enrolment
        }
        let secretOK = try await hashing.verify(String(secret.prefix(64)), against: usable ?? dummy, with: hasher)
        guard let account, let enrolment = usable, secret.count <= 64, secretOK else { throw StaffAuthError.enrolmentInvalid }
        let passwordHash = try await hashing.hash(password, with: hasher)
        let totpSecret = TOTP.generateSecret()
        let (key, wrapped) = envelope.newDataKey(owner: account.id)
        let sealed = envelope.seal(totpSecret, with: key, context: .totp(accountID: account.id))
        let now = clock.now()
        try await store.write { writer in
            guard var current = try await writer.account(id: account.id), current.enrolmentHash == enrolment, !current.disabled else {
                throw StaffAuthError.enrolmentInvalid
            }
            current.passwordHash = passwordHash
            current.sealedTOTP = Data(sealed)
            current.key = StoredKey(wrapped)
            current.enrolmentHash = nil
            current.enrolmentExpiresAt = nil
            try await writer.update(current)
            _ = try await AuditLog.append(AuditEvent(actor: name, role: current.role.rawValue, action: "account.enrol"), at: now, writer: writer)
        }
        let base32 = TOTP.base32(totpSecret)
        return EnrolmentResult(
            totpSecret: base32, otpauthURI: "otpauth://totp/SafeRelay:\(name)?secret=\(base32)&issuer=SafeRelay&algorithm=SHA1&digits=6&period=30")
    }

    /// Logs in with password and TOTP code.
    ///
    /// Every attempt costs one Argon2id check and one audited write, whether the name is known,
    /// unknown or still enrolling, and every refusal is the same ``StaffAuthError/invalidCredentials``.
    /// `client` (the caller's address; hashed in memory, never stored) and the name together are
    /// locked out after ``RelaySettings/failuresBeforeLock`` failures, counted before the check so
    /// that guesses sent at once count too; the account itself locks only after
    /// ``RelaySettings/failuresBeforeAccountLock`` failures from everybody, for
    /// ``RelaySettings/accountLockDuration``. The lock, the failure count, the TOTP step (a code
    /// works once) and the new session are decided in one write transaction.
    ///
    /// `device` is the token a successful login handed this machine before (``StaffLogin/device``;
    /// the browser keeps it): a device of the account is not held back by the account's backstop
    /// lock, so guessing from elsewhere cannot lock out the advocate's own machine, wherever it
    /// connects from and after a restart. Every refusal counts as a failure (a right password
    /// against a locked account too, so that the count is no oracle); a busy hashing pool or a store
    /// error does not.
    public func login(name: String, password: String, code: String, client: String = "", device: String? = nil) async throws -> StaffLogin {
        let hasher = staffHasher
        let dummy = try await loginGuard.dummyHash(pool: hashing, hasher: hasher)
        guard let ticket = await loginGuard.begin(client: client, name: String(name.prefix(64))) else { throw StaffAuthError.invalidCredentials }
        do {
            let login = try await attemptLogin(
                name: name, password: password, code: code, hasher: hasher, dummy: dummy, deviceIndex: device.flatMap(staffDeviceIndex))
            await loginGuard.finish(ticket, outcome: .succeeded)
            return login
        } catch is LoginRefusal {
            // Every refusal counts, a locked or disabled account's too: were a right password against
            // a locked account not counted, the count itself would tell a guesser they had it.
            await loginGuard.finish(ticket, outcome: .failed)
            throw StaffAuthError.invalidCredentials
        } catch {
            await loginGuard.finish(ticket, outcome: .notCounted)
            throw error
        }
    }

    /// A login refused for any reason (the caller sees only ``StaffAuthError/invalidCredentials``).
    struct LoginRefusal: Error {}

    /// The keyed hash of a well-formed device token, or `nil`.
    func staffDeviceIndex(_ token: String) -> [UInt8]? {
        bearerSessions.wellFormedIndex(.device, of: token)
    }

    /// Whether `device` is a device token of some account (a store read, no hashing): a login that
    /// carries one draws on a global bucket of its own, which a flood of strangers cannot empty.
    public func isKnownDevice(_ device: String?) async -> Bool {
        guard let index = device.flatMap(staffDeviceIndex) else { return false }
        return (try? await store.read { try await $0.staffDeviceAccount(tokenIndex: index) }) != nil
    }

    private func attemptLogin(
        name: String, password: String, code: String, hasher: PasswordHasher, dummy: String, deviceIndex: [UInt8]?
    ) async throws -> StaffLogin {
        let now = clock.now()
        let wellFormed = name.count <= 64 && password.utf8.count <= PasswordHasher.maximumPasswordBytes && code.count <= 10
        let account = wellFormed ? try await store.read({ try await $0.account(name: name) }) : nil
        let passwordOK = try await hashing.verify(
            wellFormed ? password : "", against: account?.passwordHash ?? dummy, with: hasher) && account?.passwordHash != nil
        var step: UInt64?
        if passwordOK, let account, let sealed = account.sealedTOTP, let stored = account.key,
            let key = try? envelope.unwrap(stored.wrapped, owner: account.id),
            let secret = try? envelope.open(sealed, with: key, context: .totp(accountID: account.id))
        {
            step = TOTP(secret: secret).matchingStep(code, at: UInt64(max(0, now.timeIntervalSince1970)))
        }
        let settings = self.settings
        let (token, tokenIndex) = bearerSessions.newToken(.staff)
        let matchedStep = step
        let (newDevice, newDeviceIndex) = bearerSessions.newToken(.device)
        let outcome = try await store.write { writer -> (StaffIdentity, Bool)? in
            guard let accountID = account?.id, var current = try await writer.account(id: accountID) else {
                // The same audited write as for a real account, so that timing does not tell.
                _ = try await AuditLog.append(AuditEvent(actor: "unknown", role: "none", action: "session.login", outcome: "refused"), at: now, writer: writer)
                return nil
            }
            let knownDevice = if let deviceIndex { try await writer.staffDeviceAccount(tokenIndex: deviceIndex) == current.id } else { false }
            let backstop = (current.lockedUntil ?? 0) > now.storeTime
            let locked = backstop && !knownDevice
            let fresh = matchedStep.map { Int64($0) > (current.lastTOTPStep ?? -1) } ?? false
            let credentialsOK = passwordOK && fresh && current.passwordHash == account?.passwordHash
            let success = !locked && !current.disabled && credentialsOK
            if success, let matchedStep {
                // A device getting past the backstop lock does not lift it for everyone else.
                if !backstop {
                    current.failedLogins = 0
                    current.lockedUntil = nil
                }
                current.lastTOTPStep = Int64(matchedStep)
                try await writer.insert(APISessionRecord(tokenIndex: Data(tokenIndex), accountID: current.id, createdAt: now.storeTime, lastSeenAt: now.storeTime))
                try await writer.rememberStaffDevice(tokenIndex: knownDevice ? deviceIndex! : newDeviceIndex, accountID: current.id, at: now.storeTime)
            } else if !locked {
                current.failedLogins += 1
                if current.failedLogins >= settings.failuresBeforeAccountLock {
                    current.lockedUntil = now.addingTimeInterval(settings.accountLockDuration).storeTime
                    current.failedLogins = 0
                }
            }
            try await writer.update(current)
            _ = try await AuditLog.append(
                AuditEvent(
                    actor: current.name, role: current.role.rawValue, action: "session.login",
                    outcome: success ? "ok" : (locked ? "locked" : "refused")),
                at: now, writer: writer)
            return success ? (StaffIdentity(accountID: current.id, name: current.name, role: current.role), knownDevice) : nil
        }
        guard let (identity, knownDevice) = outcome else { throw LoginRefusal() }
        return StaffLogin(
            token: token, identity: identity, expiresAt: now.addingTimeInterval(settings.staffSessionAbsolute), device: knownDevice ? nil : newDevice)
    }

    /// The session of a staff bearer token, refusing unknown, idle (30 min), old (12 h) and disabled
    /// ones. Its last use is written at most once a minute (``BearerSessions/touchInterval``): a
    /// request reads, and only a write-locked store's writers wait.
    public func authenticate(token: String) async throws -> StaffSession {
        guard let tokenIndex = bearerSessions.wellFormedIndex(.staff, of: token) else { throw StaffAuthError.sessionInvalid }
        let now = clock.now().storeTime
        let found = try await store.read { reader -> (StaffIdentity, StoreTime)? in
            guard let session = try await reader.apiSession(tokenIndex: tokenIndex), isStaffSessionCurrent(session, at: now),
                let account = try await reader.account(id: session.accountID), !account.disabled
            else { return nil }
            return (StaffIdentity(accountID: account.id, name: account.name, role: account.role), session.lastSeenAt)
        }
        guard let (identity, lastSeen) = found else { throw StaffAuthError.sessionInvalid }
        await bearerSessions.touchIfDue(lastSeenAt: lastSeen, at: now) { try await $0.touchAPISession(tokenIndex: tokenIndex, at: now) }
        return StaffSession(tokenIndex: tokenIndex, identity: identity)
    }

    func isStaffSessionCurrent(_ session: APISessionRecord, at now: StoreTime) -> Bool {
        bearerSessions.isCurrent(.staff, createdAt: session.createdAt, lastSeenAt: session.lastSeenAt, at: now)
    }

    /// Ends a staff session and its open live streams.
    public func logout(_ session: StaffSession) async throws {
        await events.endSession(session.streamKey)
        _ = try await store.write { try await $0.deleteAPISession(tokenIndex: session.tokenIndex) }
    }

    /// Whether a staff session still stands (not ended, not expired, its account not disabled),
    /// without moving its idle clock. Live streams ask this every few seconds: an account disabled
    /// from the command line, in another process, loses its streams that way. `nil` when the store
    /// could not say (busy or out of reach).
    public func isLive(_ session: StaffSession) async -> Bool? {
        let now = clock.now().storeTime
        let tokenIndex = session.tokenIndex
        return try? await store.read { reader -> Bool in
            guard let record = try await reader.apiSession(tokenIndex: tokenIndex), isStaffSessionCurrent(record, at: now),
                let account = try await reader.account(id: record.accountID), !account.disabled
            else { return false }
            return true
        }
    }
}
