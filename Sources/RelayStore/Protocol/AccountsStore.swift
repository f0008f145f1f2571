import Foundation
import RelayModel

/// Reads of staff accounts, inside one consistent snapshot.
public protocol AccountsReading {
    /// An account by login name.
    func account(name: String) throws -> AccountRecord?
    /// An account by id.
    func account(id: String) throws -> AccountRecord?
    /// Every account, by name.
    func accounts() throws -> [AccountRecord]
}

/// Writes of staff accounts, inside one transaction.
public protocol AccountsWriting: AccountsReading {
    /// Inserts an account.
    func insert(_ account: AccountRecord) throws
    /// Replaces an account's mutable fields.
    func update(_ account: AccountRecord) throws
}
