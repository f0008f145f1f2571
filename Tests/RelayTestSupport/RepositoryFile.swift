import Foundation

/// Files of the repository itself (policies, scripts), found from this source file's location.
public enum RepositoryFile {
    /// The absolute path of `relative` inside the repository.
    public static func path(_ relative: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(relative).path
    }
}
