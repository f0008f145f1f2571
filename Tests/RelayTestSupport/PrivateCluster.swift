import Foundation
import RelayProcess

/// A PostgreSQL cluster of one test's own (`scripts/postgres-cluster`), for the tests that stop
/// the database under a running relay: the shared test cluster must stay up for the others.
public struct PrivateCluster: Sendable {
    /// Its folder (under /tmp, made by `mkdtemp`, removed by ``stop()``).
    public let directory: String
    /// Its `postgres` database's URL (with the password: never printed).
    public let url: String

    /// The spare cluster `scripts/test` started for the test that halts and resumes its database
    /// (`SAFERELAY_TEST_POSTGRES_SPARE_DIR` and `_URL`), else a new one.
    public static func spare() async throws -> PrivateCluster {
        let environment = ProcessInfo.processInfo.environment
        if let directory = environment["SAFERELAY_TEST_POSTGRES_SPARE_DIR"], let url = environment["SAFERELAY_TEST_POSTGRES_SPARE_URL"],
            !directory.isEmpty, !url.isEmpty
        {
            return PrivateCluster(directory: directory, url: url, ownedByTest: false)
        }
        return try await start()
    }

    /// The folder of the test cluster `scripts/test` started (`SAFERELAY_TEST_POSTGRES_DIR`), for
    /// the byte scans of its files.
    public static func testClusterDirectory() throws -> String {
        guard let directory = ProcessInfo.processInfo.environment["SAFERELAY_TEST_POSTGRES_DIR"], !directory.isEmpty else {
            throw TestDatabaseError("no SAFERELAY_TEST_POSTGRES_DIR: run the tests with scripts/test")
        }
        return directory
    }

    /// Whether the test started it (and so stops it); the spare one `scripts/test` stops itself.
    public let ownedByTest: Bool

    init(directory: String, url: String, ownedByTest: Bool = true) {
        self.directory = directory
        self.url = url
        self.ownedByTest = ownedByTest
    }

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

    /// Stops the server and removes its folder, if the test started it; a spare one is only
    /// started again if it was halted.
    public func stop() async {
        if ownedByTest {
            _ = try? await Self.run("stop", directory)
        } else if !FileManager.default.fileExists(atPath: directory + "/data/postmaster.pid") {
            _ = try? await Self.run("resume", directory)
        }
    }

    private static func run(_ command: String, _ directory: String) async throws -> String {
        let result = try await Command(executable: RepositoryFile.path("scripts/postgres-cluster"), arguments: [command, directory])
            .runOnOwnThread(timeout: 120)
        guard result.status == 0, !result.timedOut else {
            throw TestDatabaseError("scripts/postgres-cluster \(command) failed (exit \(result.status))")
        }
        return result.stdout
    }
}
