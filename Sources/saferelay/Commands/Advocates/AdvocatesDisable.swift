import ArgumentParser
import Foundation
import RelayCore
import RelayModel

/// `saferelay advocates disable NAME`: no more logins; its sessions and devices end.
struct AdvocatesDisable: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "disable", abstract: "Disable an account and end its sessions.")
    @OptionGroup var store: StoreOptions
    @Argument(help: "Login name.") var name: String

    func run() async throws {
        await changeAccount(store, name, done: "disabled") { try await $0.staff.disableAccount(name: $1) }
    }
}
