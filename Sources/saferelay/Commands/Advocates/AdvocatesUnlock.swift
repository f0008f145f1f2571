import ArgumentParser
import Foundation
import RelayCore
import RelayModel

/// `saferelay advocates unlock NAME`: lifts the account's backstop lock.
struct AdvocatesUnlock: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlock", abstract: "Lift the lock many failed logins from elsewhere put on an account (its own machines get in meanwhile).")
    @OptionGroup var store: StoreOptions
    @Argument(help: "Login name.") var name: String

    func run() async throws {
        await changeAccount(store, name, done: "unlocked") { try await $0.staff.unlockAccount(name: $1) }
    }
}
