import ArgumentParser
import Foundation
import RelayCore
import RelayCrypto

/// `saferelay keys init`: writes a new keyring, mode 0600; never overwrites one.
struct KeysInit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a new keyring (mode 0600). Refuses to overwrite an existing one.")

    @OptionGroup var store: StoreOptions

    func run() async throws {
        await runReportingFailures {
            let path = store.keyringPath
            let keyring = Keyring.generate(now: Date().rfc3339)
            try KeyringStore.create(keyring, path: path)
            print("created keyring \(path) (mode 0600)")
            print(KeyringReport(keyring: keyring).text)
            print("Back it up offline: without it no stored message can be read.")
        }
    }
}
