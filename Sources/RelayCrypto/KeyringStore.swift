import CSodium
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads and writes keyring files safely: owner-only modes, no overwrite on create, atomic replace
/// with fsync on rotate, and secrets read straight into secure memory.
public enum KeyringStore {
    /// The environment variable that may carry the keyring (its text, or that text in base64) instead of a file.
    public static let environmentVariable = "SAFERELAY_KEYRING_CONTENT"

    /// Loads the keyring at `path`, refusing a file that group or others can access.
    public static func load(path: String) throws -> Keyring {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw KeyringError.notFound(path: path) }
            throw KeyringError.io(path: path, operation: "open", errno: code)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw KeyringError.io(path: path, operation: "stat", errno: errno) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw KeyringError.corrupt(source: path, line: 0, reason: "not a regular file")
        }
        let mode = UInt32(info.st_mode)
        guard mode & 0o077 == 0 else { throw KeyringError.insecurePermissions(path: path, mode: mode) }
        let size = Int(info.st_size)
        guard size > 0 else { throw KeyringError.corrupt(source: path, line: 0, reason: "the file is empty") }
        guard size <= KeyringFile.maximumBytes else {
            throw KeyringError.corrupt(source: path, line: 0, reason: "larger than \(KeyringFile.maximumBytes) bytes")
        }
        let text = SecureBytes(count: size)
        try text.initialise { out in
            var offset = 0
            while offset < size {
                let got = read(fd, out.baseAddress! + offset, size - offset)
                if got < 0 && errno == EINTR { continue }
                guard got > 0 else { throw KeyringError.io(path: path, operation: "read", errno: got < 0 ? errno : EIO) }
                offset += got
            }
        }
        return try KeyringFile.parse(text, source: path)
    }

    /// Loads the keyring from the environment variable `name`, if it is set.
    /// The value is the keyring text itself or that text in standard base64.
    public static func loadFromEnvironment(_ name: String = environmentVariable) throws -> Keyring? {
        guard let value = getenv(name) else { return nil }
        // Read once, then gone: zeroed where it lies (what /proc/PID/environ shows) and unset.
        defer { clearEnvironmentValue(name) }
        return try parseEnvironmentValue(UnsafeRawBufferPointer(start: value, count: strlen(value)), name: name)
    }

    /// A keyring from an environment variable's value (`raw`, not copied): the keyring text itself
    /// or that text in standard base64; `nil` if empty.
    static func parseEnvironmentValue(_ raw: UnsafeRawBufferPointer, name: String) throws -> Keyring? {
        let length = raw.count
        guard length > 0 else { return nil }
        guard length <= KeyringFile.maximumBytes * 2 else {
            throw KeyringError.corrupt(source: "$\(name)", line: 0, reason: "value too large")
        }
        let header = Array(KeyringFile.magic.utf8)
        let looksLikeText = raw.count >= header.count && zip(raw.prefix(header.count), header).allSatisfy { $0 == $1 }
            || raw.first == UInt8(ascii: "#")
        if looksLikeText {
            return try KeyringFile.parse(bytes: raw, source: "$\(name)")
        }
        let decoded = SecureBytes(count: length)
        var written = 0
        let ok = decoded.initialise { out -> Bool in
            sodium_base642bin_wrapper(out, raw, &written)
        }
        guard ok, written > 0 else {
            throw KeyringError.corrupt(source: "$\(name)", line: 0, reason: "neither keyring text nor base64 of it")
        }
        return try decoded.withUnsafeBytes { all in
            try KeyringFile.parse(bytes: UnsafeRawBufferPointer(rebasing: all[0..<written]), source: "$\(name)")
        }
    }

    /// Writes a new keyring at `path` with mode 0600. Refuses, changing nothing, if one exists.
    public static func create(_ keyring: Keyring, path: String) throws {
        let text = KeyringFile.serialise(keyring)
        try ensureDirectory(of: path)
        let temporary = try writeTemporary(text, near: path)
        defer { unlink(temporary) }
        // link(2) fails with EEXIST instead of replacing: the no-overwrite check and the creation are one step.
        guard link(temporary, path) == 0 else {
            let code = errno
            if code == EEXIST { throw KeyringError.alreadyExists(path: path) }
            throw KeyringError.io(path: path, operation: "link", errno: code)
        }
        syncDirectory(of: path)
    }

    /// Atomically replaces the keyring at `path` (for rotation): write, fsync, rename, fsync the directory.
    public static func replace(_ keyring: Keyring, path: String) throws {
        let text = KeyringFile.serialise(keyring)
        let temporary = try writeTemporary(text, near: path)
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw KeyringError.io(path: path, operation: "rename", errno: code)
        }
        syncDirectory(of: path)
    }

    // MARK: - Helpers

    private static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let dir = String(path[..<slash])
        return dir.isEmpty ? "/" : dir
    }

    private static func ensureDirectory(of path: String) throws {
        let dir = directory(of: path)
        var components: [String] = []
        for part in dir.split(separator: "/", omittingEmptySubsequences: false) {
            components.append(String(part))
            let prefix = components.joined(separator: "/")
            guard !prefix.isEmpty, prefix != "." else { continue }
            if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
                throw KeyringError.io(path: prefix, operation: "mkdir", errno: errno)
            }
        }
    }

    private static func writeTemporary(_ text: SecureBytes, near path: String) throws -> String {
        let temporary = "\(path).tmp-\(RandomToken.identifier())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw KeyringError.io(path: temporary, operation: "create", errno: errno) }
        var failure: KeyringError?
        if fchmod(fd, 0o600) != 0 { failure = .io(path: temporary, operation: "chmod", errno: errno) }
        if failure == nil {
            text.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let wrote = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                    if wrote < 0 && errno == EINTR { continue }
                    guard wrote > 0 else {
                        failure = .io(path: temporary, operation: "write", errno: errno)
                        return
                    }
                    offset += wrote
                }
            }
        }
        if failure == nil && fsync(fd) != 0 { failure = .io(path: temporary, operation: "fsync", errno: errno) }
        close(fd)
        if let failure {
            unlink(temporary)
            throw failure
        }
        return temporary
    }

    private static func syncDirectory(of path: String) {
        let fd = open(directory(of: path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    /// Overwrites an environment variable's value with zeros where it lies in memory, then unsets
    /// it: a secret passed in the environment (the keyring, a provider token) is not readable later
    /// from `/proc/PID/environ`, a core dump or a child process.
    public static func clearEnvironmentValue(_ name: String) {
        guard let value = getenv(name) else { return }
        memset(value, 0, strlen(value))
        unsetenv(name)
    }
}

/// Decodes standard base64 from `input` into `out`; true on success.
private func sodium_base642bin_wrapper(_ out: UnsafeMutableRawBufferPointer, _ input: UnsafeRawBufferPointer, _ written: inout Int) -> Bool {
    var end: UnsafePointer<CChar>? = nil
    let chars = input.baseAddress!.assumingMemoryBound(to: CChar.self)
    let result = sodium_base642bin(
        out.baseAddress!.assumingMemoryBound(to: UInt8.self), out.count, chars, input.count,
        " \n\r\t", &written, &end, sodium_base64_VARIANT_ORIGINAL)
    return result == 0 && end.map { $0 - chars } == input.count
}
