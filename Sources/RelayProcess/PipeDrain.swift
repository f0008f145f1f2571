import Foundation

/// Reads a pipe to its end on a `Thread` of its own, so that a child never blocks on a full pipe
/// while its parent waits for it to exit.
final class PipeDrain: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var data = Data()

    /// Starts reading `handle` at once.
    init(_ handle: FileHandle) {
        Thread { [self] in
            let read = handle.readDataToEndOfFile()
            lock.withLock { data = read }
            done.signal()
        }.start()
    }

    /// What was read, once the pipe ends or `seconds` pass (a grandchild may hold the pipe open):
    /// empty if it did not end in time.
    func text(within seconds: TimeInterval) -> String {
        _ = done.wait(timeout: .now() + seconds)
        return lock.withLock { String(decoding: data, as: UTF8.self) }
    }
}
