import Foundation
import Synchronization

/// Starts a program with `posix_spawn`, not Foundation's `Process`: on Linux `Process.run` lists
/// `/proc/self/fd` and copies each `dirent`'s whole name field, which reads past the end of the
/// directory buffer and crashes (a `memcpy` fault) when the parent holds many descriptors — as a
/// test suite with hundreds of servers does. Here the child gets standard input, output and error
/// as given, every other descriptor closed (`closefrom`), and its working directory.
enum Spawn {
    struct Failure: Error, CustomStringConvertible {
        let operation: String
        let code: Int32
        var description: String { "\(operation) failed: \(String(cString: strerror(code)))" }
    }

    /// glibc's `posix_spawn_file_actions_addchdir_np` and `…_addclosefrom_np` (2.29 and 2.34), which
    /// Swift's Glibc module does not declare: looked up once.
    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    private typealias AddClosefrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    nonisolated(unsafe) private static let addChdir: AddChdir? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np")
        .map { unsafeBitCast($0, to: AddChdir.self) }
    nonisolated(unsafe) private static let addClosefrom: AddClosefrom? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: AddClosefrom.self) }

    /// Starts `executable` and returns its pid. `stdin`, `stdout`, `stderr` are the parent's
    /// descriptors the child gets as 0, 1 and 2.
    static func start(
        executable: String, arguments: [String], environment: [String: String], directory: String?, stdin: Int32, stdout: Int32, stderr: Int32
    ) throws -> pid_t {
        // Copies above 2 first, so that no dup2 into 0, 1 or 2 overwrites a source still to be used.
        var copies: [Int32] = []
        defer { for copy in copies { close(copy) } }
        for source in [stdin, stdout, stderr] {
            let copy = fcntl(source, F_DUPFD_CLOEXEC, 3)
            guard copy >= 0 else { throw Failure(operation: "fcntl(F_DUPFD_CLOEXEC)", code: errno) }
            copies.append(copy)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (from, to) in [(copies[0], Int32(0)), (copies[1], 1), (copies[2], 2)] {
            let result = posix_spawn_file_actions_adddup2(&actions, from, to)
            guard result == 0 else { throw Failure(operation: "posix_spawn_file_actions_adddup2", code: result) }
        }
        guard let addClosefrom, let addChdir else { throw Failure(operation: "posix_spawn (glibc 2.34 or later)", code: ENOSYS) }
        var result = addClosefrom(&actions, 3)
        guard result == 0 else { throw Failure(operation: "posix_spawn_file_actions_addclosefrom_np", code: result) }
        if let directory {
            result = directory.withCString { addChdir(&actions, $0) }
            guard result == 0 else { throw Failure(operation: "posix_spawn_file_actions_addchdir_np", code: result) }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child starts with default signal handling and an empty mask, whatever this process set.
        var all = sigset_t()
        sigfillset(&all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else { throw Failure(operation: "posix_spawn", code: result) }
        return pid
    }
}

/// A child's exit, learnt once by `waitpid` and kept (a pid is reaped exactly once).
final class ExitWatch: Sendable {
    let pid: pid_t
    private let exit = Mutex<Int32?>(nil)

    init(pid: pid_t) {
        self.pid = pid
    }

    /// The exit status (or the signal that ended it), if the child has exited; never blocks. A
    /// child that can no longer be waited for (someone else reaped it) counts as exited, status -1.
    func poll() -> Int32? {
        exit.withLock { known in
            if let known { return known }
            var status: Int32 = 0
            var result = waitpid(pid, &status, WNOHANG)
            while result < 0 && errno == EINTR { result = waitpid(pid, &status, WNOHANG) }
            if result < 0 {
                known = -1
                return known
            }
            guard result == pid else { return nil }
            // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import as functions.
            let signal = status & 0x7f
            known = signal == 0 ? (status >> 8) & 0xff : signal
            return known
        }
    }

    /// A child nobody waits for any more is still reaped (on a thread of its own), never left a zombie.
    deinit {
        guard exit.withLock({ $0 }) == nil else { return }
        let pid = self.pid
        Thread.detachNewThread {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
    }
}
