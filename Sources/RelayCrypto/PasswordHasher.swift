import CSodium

/// Argon2id password hashing with libsodium's `crypto_pwhash_str`: a self-describing string
/// (algorithm, parameters, salt, hash) that is safe to store.
public struct PasswordHasher: Sendable {
    /// Argon2id cost parameters.
    public struct Cost: Sendable, Equatable {
        /// Number of passes.
        public var operations: UInt64
        /// Memory in bytes.
        public var memory: Int

        /// Custom limits (at least 1 pass and 8 KiB, as libsodium requires).
        public init(operations: UInt64, memory: Int) {
            self.operations = operations
            self.memory = memory
        }

        /// libsodium's interactive limits (2 passes, 64 MiB): for logins.
        public static let interactive = Cost(
            operations: UInt64(crypto_pwhash_opslimit_interactive()), memory: Int(crypto_pwhash_memlimit_interactive()))
        /// libsodium's moderate limits (3 passes, 256 MiB): for rare, high-value secrets.
        public static let moderate = Cost(
            operations: UInt64(crypto_pwhash_opslimit_moderate()), memory: Int(crypto_pwhash_memlimit_moderate()))
    }

    /// Longest password accepted, in bytes; longer input is refused before hashing.
    public static let maximumPasswordBytes = 1024

    /// The cost used for new hashes.
    public let cost: Cost

    /// Creates a hasher with the given cost.
    public init(cost: Cost = .interactive) {
        self.cost = cost
    }

    /// Hashes a password into a storable Argon2id string.
    public func hash(_ password: String) throws -> String {
        Sodium.ensureInitialised()
        let bytes = Array(password.utf8)
        guard bytes.count <= Self.maximumPasswordBytes else { throw CryptoError.operationFailed("password too long") }
        var out = [CChar](repeating: 0, count: Int(crypto_pwhash_strbytes()))
        let passwordChars = Array(password.utf8CString)
        let result = crypto_pwhash_str(&out, passwordChars, UInt64(bytes.count), cost.operations, cost.memory)
        guard result == 0 else { throw CryptoError.operationFailed("Argon2id hashing (out of memory?)") }
        return String(decoding: out.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Checks a password against a stored hash in constant time with respect to the hash.
    public func verify(_ password: String, against stored: String) -> Bool {
        Sodium.ensureInitialised()
        let bytes = Array(password.utf8)
        guard bytes.count <= Self.maximumPasswordBytes else { return false }
        var storedChars = Array(stored.utf8CString)
        guard storedChars.count <= Int(crypto_pwhash_strbytes()) else { return false }
        let passwordChars = Array(password.utf8CString)
        return crypto_pwhash_str_verify(&storedChars, passwordChars, UInt64(bytes.count)) == 0
    }

    /// Whether a stored hash was made with other parameters and should be rehashed at next login.
    public func needsRehash(_ stored: String) -> Bool {
        var storedChars = Array(stored.utf8CString)
        return crypto_pwhash_str_needs_rehash(&storedChars, cost.operations, cost.memory) != 0
    }
}
