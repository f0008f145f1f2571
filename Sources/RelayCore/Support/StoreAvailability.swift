import RelayStore

/// Whether an error the core passes on means the store could not take the work just now (another
/// process held its write lock past the busy timeout), so that the edges can answer "try again"
/// (503) instead of an internal error, without seeing the store's own error type.
public enum StoreAvailability {
    /// True for a store that was busy; false for every other error.
    public static func isBusy(_ error: any Error) -> Bool {
        (error as? StoreError) == .busy
    }
}
