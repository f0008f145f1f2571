import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An advisory lock on the data folder itself: `serve` holds it for as long as it runs, and commands that must not run beside a server (`keys
/// rotate`, `keys retire`) take it too, so that they refuse instead of racing it. The kernel drops
/// the lock when the process ends, however it ends.
final class StoreLock {
    private let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Takes the lock of `dataDirectory` without waiting.
    /// - Throws: ``CLIFailure`` (75) while another process holds it, or (74) if the file cannot be opened.
    static func acquire(dataDirectory: String, purpose: String) throws -> StoreLock {
        try? FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // The folder itself is locked: a lock file could be deleted from under a running server.
        let descriptor = open(dataDirectory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw CLIFailure(message: "cannot open \(dataDirectory)", code: CLIFailure.ioError) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw CLIFailure(message: "another saferelay process (a running server?) holds \(dataDirectory); stop it before \(purpose)",
                code: CLIFailure.temporaryFailure)
        }
        return StoreLock(descriptor: descriptor)
    }
}
