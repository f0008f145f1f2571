import CSodium

/// A fixed-size buffer of secret bytes in `sodium_malloc` memory: guarded pages, locked when the
/// system allows it, excluded from core dumps, and zeroed when released.
///
/// Only `RelayCrypto` sees the bytes; other modules hold keys through opaque types built on it.
/// The buffer can be frozen read-only once filled, so a stray write traps instead of corrupting a key.
package final class SecureBytes: @unchecked Sendable {
    // Safety: after `init` fills the buffer (and usually `freeze()` seals it), it is only read.
    // Every writer below runs before the instance is shared.
    private let pointer: UnsafeMutableRawPointer
    /// The number of bytes held.
    package let count: Int
    private var frozen = false

    /// Allocates `count` zeroed secret bytes.
    package init(count: Int) {
        precondition(count > 0, "a secret buffer cannot be empty")
        Sodium.ensureInitialised()
        guard let raw = sodium_malloc(count) else {
            fatalError("sodium_malloc failed: out of memory for secret buffers")
        }
        sodium_memzero(raw, count)
        self.pointer = raw
        self.count = count
    }

    /// Allocates `count` bytes filled from the system's CSPRNG.
    package static func random(count: Int) -> SecureBytes {
        let bytes = SecureBytes(count: count)
        randombytes_buf(bytes.pointer, count)
        bytes.freeze()
        return bytes
    }

    /// Copies `source` into fresh secret memory (used where libsodium hands back a key in a stack buffer).
    package convenience init(copying source: UnsafeRawBufferPointer) {
        self.init(count: source.count)
        if let base = source.baseAddress {
            pointer.copyMemory(from: base, byteCount: source.count)
        }
    }

    /// Fills the buffer through `body`, then freezes it read-only.
    package func initialise<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        precondition(!frozen, "secret buffer already frozen")
        let result = try body(UnsafeMutableRawBufferPointer(start: pointer, count: count))
        freeze()
        return result
    }

    /// Makes the pages read-only; later writes crash rather than silently change a key.
    package func freeze() {
        guard !frozen else { return }
        sodium_mprotect_readonly(pointer)
        frozen = true
    }

    /// Reads the secret bytes. Never copy them out into ordinary Swift arrays.
    package func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    /// Compares with another buffer in constant time.
    package func constantTimeEquals(_ other: SecureBytes) -> Bool {
        count == other.count && sodium_memcmp(pointer, other.pointer, count) == 0
    }

    deinit {
        if frozen { sodium_mprotect_readwrite(pointer) }
        // sodium_free zeroes the buffer before unmapping it.
        sodium_free(pointer)
    }
}
