import CSodium

/// Initialises libsodium exactly once, before any other call into it.
///
/// `sodium_init()` is thread-safe and idempotent; the static `let` makes Swift run it once.
enum Sodium {
    private static let initialised: Bool = {
        sodium_init() >= 0
    }()

    /// Makes sure libsodium is ready. A library that cannot initialise its RNG must not run.
    static func ensureInitialised() {
        guard initialised else {
            fatalError("libsodium could not be initialised; refusing to run without a secure RNG")
        }
    }
}
