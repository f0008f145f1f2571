import ArgumentParser
import Foundation
import RelayCore
import RelayCrypto
import RelayStore

/// `saferelay store copy`: an existing hotline's SQLite data into an empty PostgreSQL database.
struct StoreCopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy every row of a SQLite store into an empty PostgreSQL database, then verify the audit log there.",
        discussion: """
            Ciphertext is copied as it is (nothing is decrypted), the audit log with its sequence \
            numbers and checkpoints, in one transaction: a failure leaves the target empty. Stop the \
            relay first (the data folder's lock is taken). The keyring must open the source; the \
            same keyring then opens the target. Afterwards start the relay with --database.
            """)

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("The SQLite store: sqlite:PATH (default sqlite:DATA/saferelay.sqlite).", valueName: "sqlite:path"))
    var from: String?

    @Option(help: ArgumentHelp(
        "The empty PostgreSQL database: postgres://… (default --database or SAFERELAY_DATABASE_URL).", valueName: "url"))
    var to: String?

    func run() async throws {
        await runReportingFailures {
            let sourcePath = try resolvedSource()
            guard FileManager.default.fileExists(atPath: sourcePath) else {
                throw CLIFailure(message: "no SQLite store at \(sourcePath)", code: CLIFailure.noInput)
            }
            let lock = try StoreLock.acquire(
                dataDirectory: (sourcePath as NSString).deletingLastPathComponent, purpose: "copying its store")
            defer { withExtendedLifetime(lock) {} }
            let keyring = try store.loadKeyring().keyring

            // The source first: the keyring must open it, and its audit log must verify.
            let source = try SQLiteStore(path: sourcePath)
            let sourceRelay = Relay(store: source, keyring: keyring, logger: LoggingSetup.logger("saferelay.store"))
            do {
                try await sourceRelay.keys.verifyKeyringOpensStore()
            } catch let mismatch as KeyringMismatch {
                try? source.close()
                throw CLIFailure(message: "refusing: \(mismatch)", code: CLIFailure.configuration)
            }
            let before = try await sourceRelay.auditLog.verify(witnessNote: nil)
            try source.close()
            guard before.isValid else {
                throw CLIFailure(message: "refusing: the source's audit log does not verify: \(before.problems[0])", code: CLIFailure.dataError)
            }

            guard let url = to ?? store.databaseURL else {
                throw CLIFailure(message: "no target: pass --to postgres://… or set SAFERELAY_DATABASE_URL", code: CLIFailure.usage)
            }
            KeyringStore.clearEnvironmentValue(StoreOptions.databaseVariable)
            let target: PostgresStore
            do {
                target = try await PostgresStore(url: url)
            } catch let error as StoreError {
                throw CLIFailure(message: error.description, code: CLIFailure.configuration)
            }
            defer { try? target.close() }
            let counts: [String: Int]
            do {
                counts = try await StoreCopy.copy(fromSQLite: sourcePath, to: target)
            } catch let failure as StoreCopy.Failure {
                let code = if case .targetNotEmpty = failure { CLIFailure.cannotCreate } else { CLIFailure.dataError }
                throw CLIFailure(message: failure.description, code: code)
            }
            let targetRelay = Relay(store: target, keyring: keyring, logger: LoggingSetup.logger("saferelay.store"))
            let after = try await targetRelay.auditLog.verify(witnessNote: nil)
            guard after.isValid, after.events == before.events, after.checkpoints == before.checkpoints else {
                throw CLIFailure(
                    message: "the copy's audit log does not match the source's (\(after.problems.first ?? "a different size")): "
                        + "do not use the target; drop it and copy again", code: CLIFailure.software)
            }
            print("copied \(counts.values.reduce(0, +)) rows into \(target.redactedURL): "
                + StoreCopy.tables.map { "\($0.name) \(counts[$0.name] ?? 0)" }.joined(separator: ", "))
            print("audit log on the target OK: \(after.events) events, \(after.checkpoints) checkpoints verified")
            print("next: start the relay with --database (or SAFERELAY_DATABASE_URL); keep the SQLite folder as a backup until you are sure")
        }
    }

    /// The source file from `--from sqlite:PATH`, or the data folder's.
    func resolvedSource() throws -> String {
        guard let from else { return store.databasePath }
        guard from.hasPrefix("sqlite:"), from.count > 7 else {
            throw CLIFailure(message: "--from must be sqlite:PATH", code: CLIFailure.usage)
        }
        return String(from.dropFirst(7))
    }
}
