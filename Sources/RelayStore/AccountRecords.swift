import Foundation
import RelayModel

/// A staff account. Secrets are stored only as an Argon2id hash (password, enrolment secret) or
/// sealed with the account's own data key (TOTP secret).
public struct AccountRecord: Sendable, Equatable {
    /// Random id.
    public var id: String
    /// Login name.
    public var name: String
    /// Role.
    public var role: Role
    /// Argon2id hash of the password, once enrolled.
    public var passwordHash: String?
    /// The TOTP secret sealed with the account's data key, once enrolled.
    public var sealedTOTP: Data?
    /// The account's data key, wrapped.
    public var key: StoredKey?
    /// Argon2id hash of the one-time enrolment secret, while enrolment is pending.
    public var enrolmentHash: String?
    /// When the enrolment secret stops working.
    public var enrolmentExpiresAt: StoreTime?
    /// Disabled accounts cannot log in; their sessions end.
    public var disabled: Bool
    /// Consecutive failed logins.
    public var failedLogins: Int
    /// No login until then.
    public var lockedUntil: StoreTime?
    /// The last TOTP step used (a code works once).
    public var lastTOTPStep: Int64?
    /// When it was created.
    public var createdAt: StoreTime

    /// Creates an account record.
    public init(
        id: String, name: String, role: Role, passwordHash: String? = nil, sealedTOTP: Data? = nil, key: StoredKey? = nil,
        enrolmentHash: String? = nil, enrolmentExpiresAt: StoreTime? = nil, disabled: Bool = false, failedLogins: Int = 0,
        lockedUntil: StoreTime? = nil, lastTOTPStep: Int64? = nil, createdAt: StoreTime
    ) {
        self.id = id
        self.name = name
        self.role = role
        self.passwordHash = passwordHash
        self.sealedTOTP = sealedTOTP
        self.key = key
        self.enrolmentHash = enrolmentHash
        self.enrolmentExpiresAt = enrolmentExpiresAt
        self.disabled = disabled
        self.failedLogins = failedLogins
        self.lockedUntil = lockedUntil
        self.lastTOTPStep = lastTOTPStep
        self.createdAt = createdAt
    }
}

/// A staff API session: the bearer token is stored only as its keyed hash.
public struct APISessionRecord: Sendable, Equatable {
    /// Keyed hash of the token.
    public var tokenIndex: Data
    /// The account.
    public var accountID: String
    /// When it was created (the absolute limit counts from here).
    public var createdAt: StoreTime
    /// When it was last used (the idle limit counts from here).
    public var lastSeenAt: StoreTime

    /// Creates a session record.
    public init(tokenIndex: Data, accountID: String, createdAt: StoreTime, lastSeenAt: StoreTime) {
        self.tokenIndex = tokenIndex
        self.accountID = accountID
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
    }
}
