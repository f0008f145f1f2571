import Foundation

/// A `saferelay serve` child process in a scratch directory, on 127.0.0.1 and a free port.
final class ServerUnderTest: @unchecked Sendable {
    let binary: String
    let directory: String
    let environment: [String: String]
    private(set) var process: Process?
    private(set) var port = 0

    init(binary: String, environment: [String: String]) throws {
        self.binary = binary
        directory = NSTemporaryDirectory() + "saferelay-load-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SAFERELAY_") }.merging(environment) { $1 }
    }

    /// Runs a `saferelay` command to completion in the scratch directory; returns status and output.
    @discardableResult
    func command(_ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Starts the server and returns once it names its port in the log.
    func start() throws {
        let logPath = directory + "/serve-\(UUID().uuidString).log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--host", "127.0.0.1", "--port", "0"]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        let started = ContinuousClock.now
        try process.run()
        self.process = process
        while ContinuousClock.now - started < .seconds(120) {
            let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            if let range = text.range(of: #"port=(\d+)"#, options: .regularExpression), let value = Int(text[range].dropFirst(5)), value > 0 {
                port = value
                return
            }
            guard process.isRunning else { throw LoadError.serverFailed("exited with status \(process.terminationStatus)") }
            usleep(2_000)
        }
        throw LoadError.serverFailed("did not start within 120 s")
    }

    /// Stops the server with SIGTERM (a clean stop) and waits for it.
    func stop() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// The server's resident memory now and at its peak, in MiB (from /proc).
    func memory() -> (current: Double, peak: Double) {
        guard let pid = process?.processIdentifier,
            let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        else { return (0, 0) }
        func field(_ name: String) -> Double {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }),
                let kilobytes = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
            else { return 0 }
            return kilobytes / 1024
        }
        return (field("VmRSS"), field("VmHWM"))
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
