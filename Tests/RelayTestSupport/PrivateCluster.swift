import Foundation
import RelayProcess

/// A PostgreSQL cluster of one test's own (`scripts/postgres-cluster`), for the tests that stop
/// the database under a running relay: the shared test cluster must stay up for the others.
public struct PrivateCluster: Sendable {
    /// Its folder (under /tmp, made by `mkdtemp`, removed by ``stop()``).
    public let directory: String
    /// Its `postgres` database's URL (with the password: never printed).
    public let url: String

    /// initdb and start (a few seconds).
    public static func start() async throws -> PrivateCluster {
        var template = Array("/tmp/saferelay-pg.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw TestDatabaseError("mkdtemp failed") }
        let directory = String(cString: made)
        let url = try await run("start", directory).trimmingCharacters(in: .whitespacesAndNewlines)
        return PrivateCluster(directory: directory, url: url)
    }

    /// Stops the server at once (as a crash or a lost network would), keeping its data.
    public func halt() async throws { _ = try await Self.run("halt", directory) }

    /// Starts the halted server again on the same port.
    public func resume() async throws { _ = try await Self.run("resume", directory) }

    /// Stops the server and removes its folder.
    public func stop() async { _ = try? await Self.run("stop", directory) }

    private static func run(_ command: String, _ directory: String) async throws -> String {
        let result = try await Command(executable: RepositoryFile.path("scripts/postgres-cluster"), arguments: [command, directory])
            .runOnOwnThread(timeout: 120)
        guard result.status == 0, !result.timedOut else {
            throw TestDatabaseError("scripts/postgres-cluster \(command) failed (exit \(result.status))")
        }
        return result.stdout
    }
}
