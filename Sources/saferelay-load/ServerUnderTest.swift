import Foundation
import RelayProcess

/// `saferelay serve` child processes (one, or several on one PostgreSQL database) in a scratch
/// directory, on 127.0.0.1 and free ports.
final class ServerUnderTest: @unchecked Sendable {
    let binary: String
    let directory: String
    let environment: [String: String]
    let instances: Int
    private(set) var servers: [ServeProcess] = []

    init(binary: String, instances: Int = 1, environment: [String: String]) throws {
        self.binary = binary
        directory = NSTemporaryDirectory() + "saferelay-load-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.environment = environment
        self.instances = instances
    }

    /// The first instance's port (0 before ``start()``).
    var port: Int { servers.first?.port ?? 0 }

    /// Every instance's port.
    var ports: [Int] { servers.map(\.port) }

    /// Runs a `saferelay` command to completion in the scratch directory; returns status and output.
    @discardableResult
    func command(_ arguments: [String]) throws -> (Int32, String) {
        let command = Command(executable: binary, arguments: arguments, directory: directory, environment: RelayEnvironment.child(environment))
        let result = try command.run(timeout: 600, combiningOutput: true)
        return (result.status, result.stdout)
    }

    /// Starts every instance, one after the other, and returns once each names its port in its log.
    func start() throws {
        servers = []
        for _ in 0..<instances {
            let server = try ServeProcess(
                binary: binary, in: directory, environment: environment, logPath: directory + "/serve-\(UUID().uuidString).log")
            servers.append(server)
            do {
                try server.waitForPort(timeout: 120)
            } catch let error as RelayProcessError {
                throw LoadError.serverFailed(error.description)
            }
        }
    }

    /// Stops every instance with SIGTERM (a clean stop) and waits for each (SIGKILL after 60 s).
    func stop() {
        for server in servers { server.stop(signal: SIGTERM, timeout: 60) }
    }

    /// The first instance's resident memory now and at its peak, in MiB (from /proc).
    func memory() -> (current: Double, peak: Double) {
        guard let memory = servers.first?.residentMemory() else { return (0, 0) }
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
