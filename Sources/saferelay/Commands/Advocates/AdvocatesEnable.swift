import ArgumentParser
import Foundation
import RelayCore
import RelayModel

/// `saferelay advocates enable NAME`: lets a disabled account log in again.
struct AdvocatesEnable: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "enable", abstract: "Lift a disable: the account works again as it was.")
    @OptionGroup var store: StoreOptions
    @Argument(help: "Login name.") var name: String

    func run() async throws {
        await changeAccount(store, name, done: "enabled") { try await $0.staff.enableAccount(name: $1) }
    }
}
