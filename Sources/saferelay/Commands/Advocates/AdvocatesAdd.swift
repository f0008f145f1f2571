import ArgumentParser
import Foundation
import RelayCore
import RelayModel

/// `saferelay advocates add NAME --role ROLE`: a new account and its one-time enrolment secret.
struct AdvocatesAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Create an account and print its one-time enrolment secret (valid 72 hours).")
    @OptionGroup var store: StoreOptions
    @Argument(help: "Login name.") var name: String
    @Option(help: "advocate, supervisor, compliance or admin.") var role: Role

    func run() async throws {
        await runReportingFailures {
            let (relay, database) = try await store.openRelay(label: "saferelay.advocates")
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
