import Foundation

/// Runs blocking work (waiting for a process, reading a pipe) on a `Thread` of its own, so that it
/// never holds one of the few threads of Swift's cooperative pool.
enum OwnThread {
    /// Runs `work` on a new thread and resumes with its result.
    static func run<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }
}
