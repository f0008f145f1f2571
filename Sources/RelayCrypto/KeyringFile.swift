import CSodium

/// The keyring's text format, parsed and written without copying secrets out of secure memory.
///
/// ```text
/// # comments start with '#'
/// saferelay-keyring 1
/// created 2026-11-23T20:00:00Z
/// kek 1 2026-11-23T20:00:00Z <base64 of 32 bytes>
/// current-kek 1
/// blind-index <base64 of 32 bytes>
/// audit-signing <base64 of a 32-byte Ed25519 seed>
/// ```
///
/// Creation times are at most 64 visible ASCII characters, so that writing a keyring back (as
/// `keys rotate` does) reproduces them exactly.
public enum KeyringFile {
    /// The header line's first word.
    static let magic = "saferelay-keyring"
    /// Largest keyring accepted, in bytes.
    public static let maximumBytes = 64 * 1024
    /// Most KEK versions accepted.
    public static let maximumKEKs = 1000

    // MARK: - Parsing

    /// Parses keyring text held in secure memory. `source` names the file or variable in errors.
    static func parse(_ text: SecureBytes, source: String) throws -> Keyring {
        try text.withUnsafeBytes { try parse(bytes: $0, source: source) }
    }

    /// Parses keyring text from memory the caller controls. Files and the environment go through
    /// ``KeyringStore``, which reads them straight into secure memory; this entry point is for the
    /// fuzz targets and other in-memory callers.
    /// - Parameters:
    ///   - bytes: the keyring text.
    ///   - source: names the text in errors (a path, `$VARIABLE`).
    /// - Throws: `KeyringError.corrupt` naming the line and what is wrong, never a secret.
    public static func parse(bytes: UnsafeRawBufferPointer, source: String) throws -> Keyring {
        func corrupt(_ line: Int, _ reason: String) -> KeyringError {
            .corrupt(source: source, line: line, reason: reason)
        }
        guard bytes.count <= maximumBytes else { throw corrupt(0, "larger than \(maximumBytes) bytes") }
        var sawHeader = false
        var created: String?
        var keks: [KeyEncryptionKey] = []
        var current: UInt32?
        var blindIndex: SymmetricKey?
        var auditSeed: SecureBytes?

        var lineNumber = 0
        var start = 0
        while start < bytes.count {
            lineNumber += 1
            var end = start
            while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
            var lineEnd = end
            if lineEnd > start && bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
            let fields = splitFields(bytes, start, lineEnd)
            defer { start = end + 1 }
            if fields.isEmpty || bytes[fields[0].lowerBound] == UInt8(ascii: "#") { continue }
            let keyword = text(bytes, fields[0])
            if !sawHeader {
                guard keyword == magic, fields.count == 2 else { throw corrupt(lineNumber, "expected the header `\(magic) 1`") }
                guard text(bytes, fields[1]) == "1" else { throw corrupt(lineNumber, "unsupported keyring format version") }
                sawHeader = true
                continue
            }
            switch keyword {
            case "created":
                guard fields.count == 2 else { throw corrupt(lineNumber, "expected `created TIME`") }
                guard isTime(bytes, fields[1]) else { throw corrupt(lineNumber, timeReason) }
                created = text(bytes, fields[1])
            case "kek":
                guard fields.count == 4 else { throw corrupt(lineNumber, "expected `kek VERSION CREATED KEY`") }
                guard let version = UInt32(text(bytes, fields[1])), version > 0 else { throw corrupt(lineNumber, "KEK version must be a positive integer") }
                guard !keks.contains(where: { $0.version == version }) else { throw corrupt(lineNumber, "KEK version \(version) appears twice") }
                guard keks.count < maximumKEKs else { throw corrupt(lineNumber, "more than \(maximumKEKs) KEK versions") }
                guard isTime(bytes, fields[2]) else { throw corrupt(lineNumber, timeReason) }
                let secret = try decodeSecret(bytes, fields[3], line: lineNumber, source: source)
                keks.append(KeyEncryptionKey(version: version, createdAt: text(bytes, fields[2]), key: SymmetricKey(secret: secret)))
            case "current-kek":
                guard fields.count == 2, let version = UInt32(text(bytes, fields[1])) else { throw corrupt(lineNumber, "expected `current-kek VERSION`") }
                current = version
            case "blind-index":
                guard fields.count == 2 else { throw corrupt(lineNumber, "expected `blind-index KEY`") }
                guard blindIndex == nil else { throw corrupt(lineNumber, "blind-index appears twice") }
                blindIndex = SymmetricKey(secret: try decodeSecret(bytes, fields[1], line: lineNumber, source: source))
            case "audit-signing":
                guard fields.count == 2 else { throw corrupt(lineNumber, "expected `audit-signing SEED`") }
                guard auditSeed == nil else { throw corrupt(lineNumber, "audit-signing appears twice") }
                auditSeed = try decodeSecret(bytes, fields[1], line: lineNumber, source: source)
            default:
                throw corrupt(lineNumber, "unknown entry `\(keyword.prefix(32))`")
            }
        }
        guard sawHeader else { throw corrupt(0, "empty, or missing the `\(magic) 1` header") }
        guard !keks.isEmpty else { throw corrupt(0, "no `kek` entry") }
        guard let current else { throw corrupt(0, "no `current-kek` entry") }
        guard keks.contains(where: { $0.version == current }) else { throw corrupt(0, "current-kek \(current) has no `kek` entry") }
        guard let blindIndex else { throw corrupt(0, "no `blind-index` entry") }
        guard let auditSeed else { throw corrupt(0, "no `audit-signing` entry") }
        return Keyring(
            keks: keks, currentVersion: current, createdAt: created ?? "unknown",
            blindIndexRoot: blindIndex, auditSigningSeed: auditSeed)
    }

    private static func splitFields(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> [Range<Int>] {
        var fields: [Range<Int>] = []
        var index = start
        while index < end {
            while index < end && (bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t")) { index += 1 }
            let fieldStart = index
            while index < end && bytes[index] != UInt8(ascii: " ") && bytes[index] != UInt8(ascii: "\t") { index += 1 }
            if index > fieldStart { fields.append(fieldStart..<index) }
        }
        return fields
    }

    /// Longest creation time accepted, in bytes (an RFC 3339 time needs at most 35).
    static let maximumTimeBytes = 64
    static let timeReason = "a creation time must be 1 to \(maximumTimeBytes) visible ASCII characters, e.g. 2026-11-23T20:00:00Z"

    /// Whether a field can be a creation time: short visible ASCII, so that it is written back unchanged.
    private static func isTime(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        range.count <= maximumTimeBytes && range.allSatisfy { (0x21...0x7E).contains(bytes[$0]) }
    }

    /// Non-secret text of a field (keywords, versions, dates), bounded so errors stay short.
    private static func text(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range.prefix(64)]), as: UTF8.self)
    }

    /// Decodes a base64 secret field straight into secure memory.
    private static func decodeSecret(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, line: Int, source: String) throws -> SecureBytes {
        let secret = SecureBytes(count: SymmetricKey.byteCount)
        let field = UnsafeRawBufferPointer(rebasing: bytes[range])
        let ok = secret.initialise { out -> Bool in
            var written = 0
            var end: UnsafePointer<CChar>? = nil
            let chars = field.baseAddress!.assumingMemoryBound(to: CChar.self)
            let result = sodium_base642bin(
                out.baseAddress!.assumingMemoryBound(to: UInt8.self), out.count, chars, field.count,
                nil, &written, &end, sodium_base64_VARIANT_ORIGINAL)
            return result == 0 && written == out.count && end.map { $0 - chars } == field.count
        }
        guard ok else { throw KeyringError.corrupt(source: source, line: line, reason: "key is not base64 of exactly 32 bytes") }
        return secret
    }

    // MARK: - Writing

    /// Lends the keyring's file text, written in secure memory, to `body`; the memory is wiped and
    /// released after the last reference to it goes. Do not copy the text out.
    public static func withText<R>(of keyring: Keyring, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try serialise(keyring).withUnsafeBytes(body)
    }

    /// Serialises a keyring into secure memory.
    static func serialise(_ keyring: Keyring) -> SecureBytes {
        // Room for the fixed lines and keys, plus the creation times whatever their length.
        let times = keyring.createdAt.utf8.count + keyring.kekVersions.reduce(0) { $0 + $1.createdAt.utf8.count }
        var writer = SecureTextWriter(capacity: 512 + keyring.kekVersions.count * 128 + times)
        writer.append("# SafeRelay keyring. SECRET: mode 0600, never commit it, never paste it anywhere.\n")
        writer.append("# Losing it makes every stored message unreadable; back it up offline.\n")
        writer.append("\(magic) 1\n")
        writer.append("created \(keyring.createdAt)\n")
        for kek in keyring.kekVersions {
            writer.append("kek \(kek.version) \(kek.createdAt) ")
            writer.appendBase64(kek.key.secret)
            writer.append("\n")
        }
        writer.append("current-kek \(keyring.currentVersion)\n")
        writer.append("blind-index ")
        writer.appendBase64(keyring.blindIndexRoot.secret)
        writer.append("\naudit-signing ")
        writer.appendBase64(keyring.auditSigningSeed)
        writer.append("\n")
        return writer.finish()
    }
}

/// Builds text in secure memory, so that base64 secrets never pass through Swift strings.
struct SecureTextWriter {
    private let buffer: SecureBytes
    private var length = 0
    private let capacity: Int
    private var storage: UnsafeMutableRawBufferPointer

    init(capacity: Int) {
        self.capacity = capacity
        self.buffer = SecureBytes(count: capacity)
        // The buffer stays writable until `finish()` freezes it.
        self.storage = buffer.withUnsafeBytes { UnsafeMutableRawBufferPointer(mutating: $0) }
    }

    mutating func append(_ text: String) {
        let bytes = Array(text.utf8)
        precondition(length + bytes.count <= capacity, "keyring text exceeds its buffer")
        for byte in bytes {
            storage[length] = byte
            length += 1
        }
    }

    mutating func appendBase64(_ secret: SecureBytes) {
        let encodedLength = sodium_base64_encoded_len(secret.count, sodium_base64_VARIANT_ORIGINAL)
        precondition(length + encodedLength <= capacity, "keyring text exceeds its buffer")
        secret.withUnsafeBytes { raw in
            _ = sodium_bin2base64(
                storage.baseAddress!.advanced(by: length).assumingMemoryBound(to: CChar.self), encodedLength,
                raw.baseAddress!.assumingMemoryBound(to: UInt8.self), raw.count, sodium_base64_VARIANT_ORIGINAL)
        }
        length += encodedLength - 1  // drop the terminating NUL
    }

    /// Copies the written text into an exactly-sized frozen secure buffer.
    func finish() -> SecureBytes {
        let exact = SecureBytes(count: max(length, 1))
        exact.initialise { out in
            buffer.withUnsafeBytes { source in
                out.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[0..<length]))
            }
        }
        return exact
    }
}
