import Foundation
import RelayModel

/// Reads of staff accounts, inside one consistent snapshot.
public protocol AccountsReading {
    /// An account by login name.
    func account(name: String) async throws -> AccountRecord?
    /// An account by id.
    func account(id: String) async throws -> AccountRecord?
    /// Every account, by name.
    func accounts() async throws -> [AccountRecord]
}

/// Writes of staff accounts, inside one transaction.
public protocol AccountsWriting: AccountsReading {
    /// Inserts an account.
    func insert(_ account: AccountRecord) async throws
    /// Replaces an account's mutable fields.
    func update(_ account: AccountRecord) async throws
}
