/// Why a keyring could not be read, written or used. Messages name files, lines and modes, never secrets.
public enum KeyringError: Error, Equatable, CustomStringConvertible {
    /// No keyring at the path.
    case notFound(path: String)
    /// A keyring already exists and would be overwritten.
    case alreadyExists(path: String)
    /// The file is readable or writable by group or others.
    case insecurePermissions(path: String, mode: UInt32)
    /// The file or environment value is not a valid keyring.
    case corrupt(source: String, line: Int, reason: String)
    /// A file system call failed.
    case io(path: String, operation: String, errno: Int32)
    /// A wrapped key names a KEK version the keyring does not have.
    case unknownKEKVersion(UInt32)
    /// The keyring came from the environment and cannot be rewritten in place.
    case notWritable(reason: String)

    public var description: String {
        switch self {
        case .notFound(let path):
            "no keyring at \(path); create one with `saferelay keys init`"
        case .alreadyExists(let path):
            "a keyring already exists at \(path); refusing to overwrite it (it holds the only keys that open the data)"
        case .insecurePermissions(let path, let mode):
            "keyring \(path) has mode \(String(mode & 0o777, radix: 8)) and is accessible to group or others; run `chmod 600 \(path)`"
        case .corrupt(let source, let line, let reason):
            line > 0 ? "keyring \(source) is corrupt at line \(line): \(reason)" : "keyring \(source) is corrupt: \(reason)"
        case .io(let path, let operation, let errno):
            "keyring \(path): \(operation) failed (errno \(errno))"
        case .unknownKEKVersion(let version):
            "no key-encryption key version \(version) in the keyring"
        case .notWritable(let reason):
            reason
        }
    }
}
