import Foundation
import RelayCrypto
import RelayModel
import RelayStore

/// Bearer sessions, one implementation for the survivors' webchat sessions and the staff's API
/// sessions (and the staff's device tokens): 256-bit random tokens kept only as keyed hashes (one
/// label per kind, so that a token of one kind never opens another), idle and absolute limits, and
/// a last use written at most once a minute, so that a request reads and needs no write lock.
struct BearerSessions: RelayService {
    let context: RelayContext

    /// What a token opens.
    enum Kind: String {
        /// A survivor's webchat session.
        case webchat
        /// A staff API session.
        case staff
        /// A staff member's own machine (gets past the account's backstop lock).
        case device
    }

    /// A session's last use is written at most this often (milliseconds): its idle clock is exact
    /// to a minute, and a read costs no durable write.
    static let touchInterval: StoreTime = 60_000

    /// A new token of `kind` and the keyed hash it is stored under.
    func newToken(_ kind: Kind) -> (token: String, index: [UInt8]) {
        let token = RandomToken.bearer()
        return (token, index(kind, of: token))
    }

    /// The keyed hash a token of `kind` is stored under (the token itself is never kept).
    func index(_ kind: Kind, of token: String) -> [UInt8] {
        keyring.blindIndex(.bearerToken).index("\(kind.rawValue):\(token)")
    }

    /// The keyed hash of a well-formed token (32 random bytes, URL-safe Base64), or `nil` for
    /// anything else: a malformed token costs no lookup.
    func wellFormedIndex(_ kind: Kind, of token: String) -> [UInt8]? {
        guard (32...64).contains(token.utf8.count), Base64.decodeURLSafe(token)?.count == 32 else { return nil }
        return index(kind, of: token)
    }

    /// The idle and absolute lifetimes of a kind of session, in milliseconds.
    func lifetimes(_ kind: Kind) -> (idle: StoreTime, absolute: StoreTime) {
        switch kind {
        case .webchat: (StoreTime(settings.webchatSessionIdle * 1000), StoreTime(settings.webchatSessionAbsolute * 1000))
        case .staff, .device: (StoreTime(settings.staffSessionIdle * 1000), StoreTime(settings.staffSessionAbsolute * 1000))
        }
    }

    /// Whether a session created at `createdAt` and last used at `lastSeenAt` is neither idle-expired
    /// nor past its absolute lifetime at `now`.
    func isCurrent(_ kind: Kind, createdAt: StoreTime, lastSeenAt: StoreTime, at now: StoreTime) -> Bool {
        let (idle, absolute) = lifetimes(kind)
        return lastSeenAt + idle >= now && createdAt + absolute >= now
    }

    /// Moves a session's idle clock when its last recorded use is a minute old or more. Best
    /// effort: a store that cannot take the write now must not refuse a read.
    func touchIfDue(lastSeenAt: StoreTime, at now: StoreTime, _ write: @escaping @Sendable (any StoreWriter) async throws -> Void) async {
        guard lastSeenAt + Self.touchInterval <= now else { return }
        _ = try? await store.write { try await write($0) }
    }
}
