/// Property checks: a violated property stops the process, which libFuzzer reports as a crash and
/// saves the input. Messages name the property, never the input (it may look like personal data).
public enum Property {
    /// Stops with `message` unless `condition` holds.
    public static func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
        if !condition() { fatalError("property violated: \(message())") }
    }
}
