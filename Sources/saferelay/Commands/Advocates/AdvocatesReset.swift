import ArgumentParser
import Foundation
import RelayCore
import RelayModel

/// `saferelay advocates reset NAME`: a new enrolment secret; the old password and TOTP stop working.
struct AdvocatesReset: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset",
        abstract: "Clear an account's password and authenticator, end its sessions, print a new enrolment secret (a disabled account stays disabled).")
    @OptionGroup var store: StoreOptions
    @Argument(help: "Login name.") var name: String

    func run() async throws {
        await runReportingFailures {
            let (relay, database) = try await store.openRelay(label: "saferelay.advocates")
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
