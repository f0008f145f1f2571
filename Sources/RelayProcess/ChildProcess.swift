import Foundation

/// A started child process, known by its own pid: waited for by polling, stopped by a signal to
/// that pid (never by name).
public final class ChildProcess: @unchecked Sendable {
    // `Process` is safe to query from any thread once launched; this type never mutates it.
    private let process: Process

    /// The child's process id.
    public let pid: Int32

    /// Wraps a process that has just been launched.
    init(launched process: Process) {
        self.process = process
        pid = process.processIdentifier
    }

    /// Whether the child has not exited yet.
    public var isRunning: Bool { process.isRunning }

    /// The exit status, or the number of the signal that ended it (only meaningful once exited).
    public var status: Int32 { process.terminationStatus }

    /// Waits (polling) until the child exits or `timeout` seconds pass.
    /// - Returns: Whether it exited.
    @discardableResult
    public func wait(timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        return !process.isRunning
    }

    /// Sends `signal` to the child's pid, waits up to `timeout` seconds for it to exit, and kills it
    /// with SIGKILL if it has not.
    /// - Parameters:
    ///   - signal: The first signal (SIGTERM for a clean stop, SIGKILL for a crash).
    ///   - timeout: How long to wait before SIGKILL.
    /// - Returns: The exit status, or nil if SIGKILL was needed. A child that had already exited
    ///   gives its status.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, timeout: TimeInterval = 30) -> Int32? {
        if process.isRunning { kill(pid, signal) }
        if wait(timeout: timeout) { return process.terminationStatus }
        kill(pid, SIGKILL)
        process.waitUntilExit()
        return nil
    }
}
