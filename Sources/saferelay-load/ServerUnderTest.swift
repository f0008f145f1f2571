import Foundation
import RelayProcess

/// A `saferelay serve` child process in a scratch directory, on 127.0.0.1 and a free port.
final class ServerUnderTest: @unchecked Sendable {
    let binary: String
    let directory: String
    let environment: [String: String]
    private(set) var server: ServeProcess?

    init(binary: String, environment: [String: String]) throws {
        self.binary = binary
        directory = NSTemporaryDirectory() + "saferelay-load-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.environment = environment
    }

    /// The port it listens on (0 before ``start()``).
    var port: Int { server?.port ?? 0 }

    /// Runs a `saferelay` command to completion in the scratch directory; returns status and output.
    @discardableResult
    func command(_ arguments: [String]) throws -> (Int32, String) {
        let command = Command(executable: binary, arguments: arguments, directory: directory, environment: RelayEnvironment.child(environment))
        let result = try command.run(timeout: 600, combiningOutput: true)
        return (result.status, result.stdout)
    }

    /// Starts the server and returns once it names its port in the log.
    func start() throws {
        let server = try ServeProcess(
            binary: binary, in: directory, environment: environment, logPath: directory + "/serve-\(UUID().uuidString).log")
        self.server = server
        do {
            try server.waitForPort(timeout: 120)
        } catch let error as RelayProcessError {
            throw LoadError.serverFailed(error.description)
        }
    }

    /// Stops the server with SIGTERM (a clean stop) and waits for it (SIGKILL after 60 s).
    func stop() {
        server?.stop(signal: SIGTERM, timeout: 60)
    }

    /// The server's resident memory now and at its peak, in MiB (from /proc).
    func memory() -> (current: Double, peak: Double) {
        guard let memory = server?.residentMemory() else { return (0, 0) }
        return (memory.current, memory.peak)
    }

    /// Removes the scratch directory (keys and database of this run only).
    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Why a load run could not go on.
enum LoadError: Error, CustomStringConvertible {
    case serverFailed(String)
    case setupFailed(String)

    var description: String {
        switch self {
        case .serverFailed(let why): "the server failed: \(why)"
        case .setupFailed(let why): "set-up failed: \(why)"
        }
    }
}
