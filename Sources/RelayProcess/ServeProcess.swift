import Foundation
import Synchronization

/// A `saferelay serve` child on 127.0.0.1 and a free port, its standard output and error in a log
/// file, its environment the caller's without `SAFERELAY_*` plus the given settings.
///
/// ```swift
/// let server = try ServeProcess(binary: binary, in: scratch, environment: ["SAFERELAY_PUBLIC_URL": url])
/// let port = try server.waitForPort(timeout: 30)
/// … // talk to http://127.0.0.1:\(port)
/// let status = server.stop()  // SIGTERM to its pid; SIGKILL after 30 s
/// ```
///
/// Keep a reference for as long as the server should run: one still running when its last
/// reference goes is killed.
public final class ServeProcess: Sendable {
    /// The log file (standard output and error).
    public let logPath: String
    /// The running child.
    public let child: ChildProcess
    private let boundPort = Mutex(0)

    /// Starts `BINARY serve --host 127.0.0.1 --port 0 ARGUMENTS` in `directory`.
    /// - Parameters:
    ///   - binary: The `saferelay` executable.
    ///   - directory: The working directory (keys, database).
    ///   - arguments: More `serve` arguments.
    ///   - environment: Settings merged over the caller's environment without `SAFERELAY_*`.
    ///   - logPath: The log file, emptied first; `DIRECTORY/serve.log` if nil.
    public init(binary: String, in directory: String, arguments: [String] = [], environment: [String: String] = [:], logPath: String? = nil) throws {
        let logPath = logPath ?? directory + "/serve.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        defer { try? log.close() }
        let command = Command(
            executable: binary, arguments: ["serve", "--host", "127.0.0.1", "--port", "0"] + arguments, directory: directory,
            environment: RelayEnvironment.child(environment))
        self.logPath = logPath
        child = try command.start(output: log)
    }

    /// A server still running when its last reference goes (a test that failed half-way) is killed
    /// by its pid, so that no `saferelay serve` outlives its caller.
    deinit {
        if child.isRunning { child.stop(signal: SIGKILL, timeout: 5) }
    }

    /// The child's process id.
    public var pid: Int32 { child.pid }

    /// The port it listens on, once ``waitForPort(timeout:)`` has seen it; 0 before.
    public var port: Int { boundPort.withLock { $0 } }

    /// The log so far.
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Waits (polling every 2 ms, blocking this thread) until the log names `port=N`.
    /// - Parameter timeout: The time limit in seconds.
    /// - Returns: The port.
    /// - Throws: ``RelayProcessError/exited(status:)`` if the process ends first,
    ///   ``RelayProcessError/notListening(seconds:)`` if the time passes (the process is left running).
    @discardableResult
    public func waitForPort(timeout: TimeInterval = 30) throws -> Int {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let text = log
            if let range = text.range(of: #"port=(\d+)"#, options: .regularExpression), let value = Int(text[range].dropFirst("port=".count)),
                value > 0
            {
                boundPort.withLock { $0 = value }
                return value
            }
            guard child.isRunning else { throw RelayProcessError.exited(status: child.status) }
            usleep(2_000)
        }
        throw RelayProcessError.notListening(seconds: timeout)
    }

    /// ``waitForPort(timeout:)`` on a `Thread` of its own (never the cooperative pool).
    @discardableResult
    public func waitForPortOnOwnThread(timeout: TimeInterval = 30) async throws -> Int {
        try await OwnThread.run { try self.waitForPort(timeout: timeout) }
    }

    /// Sends `signal` to its pid and waits up to `timeout` seconds, then SIGKILL.
    /// - Returns: The exit status, or nil if SIGKILL was needed.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, timeout: TimeInterval = 30) -> Int32? {
        child.stop(signal: signal, timeout: timeout)
    }

    /// Its resident memory now and at the peak, or nil once it has gone.
    public func residentMemory() -> ResidentMemory? {
        ResidentMemory.of(pid: pid)
    }
}
