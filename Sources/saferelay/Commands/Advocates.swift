import ArgumentParser
import Foundation
import RelayCore
import RelayModel

/// `saferelay advocates`: staff accounts.
struct Advocates: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add, list, disable, enable and reset staff accounts (advocate, supervisor, compliance, admin).",
        subcommands: [AdvocatesAdd.self, AdvocatesList.self, AdvocatesDisable.self, AdvocatesEnable.self, AdvocatesUnlock.self, AdvocatesReset.self])
}

extension Role: ExpressibleByArgument {}

struct AdvocatesAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Create an account and print its one-time enrolment secret (valid 72 hours).")
    @OptionGroup var store: StoreOptions
    @Argument(help: "Login name.") var name: String
    @Option(help: "advocate, supervisor, compliance or admin.") var role: Role

    func run() async throws {
        await runReportingFailures {
            let (relay, database) = try store.openRelay(label: "saferelay.advocates")
            defer { try? database.close() }
            do {
                let secret = try await relay.staff.createAccount(name: name, role: role)
                print("created \(role.rawValue) \(name)")
                print("one-time enrolment secret (give it to \(name) in person; it is shown only now): \(secret)")
            } catch RelayError.invalidInput(let why) {
                throw CLIFailure(message: why, code: 64)
            }
        }
    }
}

struct AdvocatesList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List accounts and their state.")
    @OptionGroup var store: StoreOptions

    func run() async throws {
        await runReportingFailures {
            let (relay, database) = try store.openRelay(label: "saferelay.advocates")
            defer { try? database.close() }
            let now = Date()
            for account in try await relay.staff.accounts() {
                print("\(account.name)  \(account.role.rawValue)  \(account.state(at: now))")
            }
        }
    }
}

struct AdvocatesDisable: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "disable", abstract: "Disable an account and end its sessions.")
    @OptionGroup var store: StoreOptions
    @Argument(help: "Login name.") var name: String

    func run() async throws {
        await changeAccount(store, name, done: "disabled") { try await $0.staff.disableAccount(name: $1) }
    }
}

struct AdvocatesReset: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset",
        abstract: "Clear an account's password and authenticator, end its sessions, print a new enrolment secret (a disabled account stays disabled).")
    @OptionGroup var store: StoreOptions
    @Argument(help: "Login name.") var name: String

    func run() async throws {
        await runReportingFailures {
            let (relay, database) = try store.openRelay(label: "saferelay.advocates")
            defer { try? database.close() }
            do {
                let secret = try await relay.staff.resetAccount(name: name)
                print("reset \(name); one-time enrolment secret: \(secret)")
            } catch RelayError.invalidInput(let why) {
                throw CLIFailure(message: why, code: CLIFailure.noInput)
            }
        }
    }
}

struct AdvocatesEnable: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "enable", abstract: "Lift a disable: the account works again as it was.")
    @OptionGroup var store: StoreOptions
    @Argument(help: "Login name.") var name: String

    func run() async throws {
        await changeAccount(store, name, done: "enabled") { try await $0.staff.enableAccount(name: $1) }
    }
}

struct AdvocatesUnlock: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlock", abstract: "Lift the lock many failed logins from elsewhere put on an account (its own machines get in meanwhile).")
    @OptionGroup var store: StoreOptions
    @Argument(help: "Login name.") var name: String

    func run() async throws {
        await changeAccount(store, name, done: "unlocked") { try await $0.staff.unlockAccount(name: $1) }
    }
}

/// Opens the store, applies one change to the account `name`, and says it is done: an unknown name
/// is exit 66.
func changeAccount(_ store: StoreOptions, _ name: String, done: String, _ change: (Relay, String) async throws -> Void) async {
    await runReportingFailures {
        let (relay, database) = try store.openRelay(label: "saferelay.advocates")
        defer { try? database.close() }
        do {
            try await change(relay, name)
        } catch RelayError.invalidInput(let why) {
            throw CLIFailure(message: why, code: CLIFailure.noInput)
        }
        print("\(done) \(name)")
    }
}
