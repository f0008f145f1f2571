import Foundation

/// Scans raw file bytes for needles (canary strings, phone numbers, ciphertext).
public enum FileScan {
    /// The database file and its `-wal` and `-shm` companions, those that exist.
    public static func databaseFiles(_ path: String) -> [String] {
        [path, path + "-wal", path + "-shm"].filter { FileManager.default.fileExists(atPath: $0) }
    }

    /// For each file, the needles found in it (empty when clean).
    /// With `skippingVanished`, a file removed since it was listed (a live cluster's) is skipped.
    public static func hits(in files: [String], needles: [[UInt8]], skippingVanished: Bool = false) throws -> [String: [[UInt8]]] {
        var found: [String: [[UInt8]]] = [:]
        for file in files {
            if skippingVanished && !FileManager.default.fileExists(atPath: file) { continue }
            guard let data = try? Data(contentsOf: URL(fileURLWithPath: file)) else {
                if skippingVanished { continue }
                throw CocoaError(.fileReadNoSuchFile)
            }
            let bytes = [UInt8](data)
            let hits = needles.filter { bytes.contains(subsequence: $0) }
            if !hits.isEmpty { found[file] = hits }
        }
        return found
    }
}

extension Array where Element == UInt8 {
    /// Whether `needle` occurs in the array (`memchr` for the first byte, `memcmp` for the rest).
    public func contains(subsequence needle: [UInt8]) -> Bool {
        guard let first = needle.first, needle.count <= count else { return false }
        return withUnsafeBytes { haystack in
            needle.withUnsafeBytes { pattern in
                let base = haystack.baseAddress!
                let lastStart = haystack.count - pattern.count
                var offset = 0
                while offset <= lastStart {
                    guard let found = memchr(base + offset, Int32(first), lastStart - offset + 1) else { return false }
                    let position = base.distance(to: UnsafeRawPointer(found))
                    if memcmp(base + position, pattern.baseAddress!, pattern.count) == 0 { return true }
                    offset = position + 1
                }
                return false
            }
        }
    }
}

extension FileScan {
    /// Every regular file under `directory`, at any depth (a PostgreSQL cluster: tables, WAL, log).
    public static func files(under directory: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return [] }
        var files: [String] = []
        while let relative = walker.nextObject() as? String {
            let path = directory + "/" + relative
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeRegular
            {
                files.append(path)
            }
        }
        return files
    }
}
