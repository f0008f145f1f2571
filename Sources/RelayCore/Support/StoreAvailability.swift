import RelayStore

/// Whether an error the core passes on means the store could not take the work just now (another
/// process held its write lock past the busy timeout, or the database server cannot be reached),
/// so that the edges can answer "try again" (503, and a provider retries or falls back) instead of
/// an internal error, without seeing the store's own error type.
public enum StoreAvailability {
    /// True for a store that was busy or out of reach; false for every other error.
    public static func isBusy(_ error: any Error) -> Bool {
        guard let error = error as? StoreError else { return false }
        return error == .busy || error == .unavailable
    }
}
