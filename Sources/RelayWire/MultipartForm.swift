import Foundation

/// A strict, bounded `multipart/form-data` parser (RFC 7578) for provider webhooks: text fields are
/// returned; file parts (attachments) are counted and skipped, their bytes never copied out.
public enum MultipartForm {
    /// Most parts accepted.
    public static let maximumParts = 200
    /// Largest header block of one part.
    public static let maximumHeaderBytes = 8 * 1024

    /// A parsed body.
    public struct Parsed: Sendable {
        /// The text fields, in order.
        public var fields: [(String, String)]
        /// How many file parts there were (dropped unread).
        public var fileCount: Int

        /// Creates a parsed body.
        public init(fields: [(String, String)], fileCount: Int) {
            self.fields = fields
            self.fileCount = fileCount
        }
    }

    /// Why a body was refused.
    public enum Failure: Error, Equatable {
        /// Not a well-formed multipart body (missing boundary, bad headers, a field that is not UTF-8, too many parts).
        case malformed
    }

    /// The boundary a `Content-Type: multipart/form-data; boundary=…` names, or `nil`.
    public static func boundary(contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2, pair[0].lowercased() == "boundary" else { continue }
            var value = pair[1]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            guard (1...70).contains(value.utf8.count), value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f || $0 == 0x20 }) else { return nil }
            return value
        }
        return nil
    }

    /// Parses a body with the given boundary.
    public static func parse(_ bytes: [UInt8], boundary: String) throws(Failure) -> Parsed {
        let delimiter = Array("--\(boundary)".utf8)
        let crlf: [UInt8] = [13, 10]
        guard var position = find(delimiter, in: bytes, from: 0) else { throw .malformed }
        var parsed = Parsed(fields: [], fileCount: 0)
        var count = 0
        while true {
            position += delimiter.count
            // `--` after a delimiter ends the body.
            if position + 1 < bytes.count, bytes[position] == 45, bytes[position + 1] == 45 { return parsed }
            guard position + 1 < bytes.count, bytes[position] == 13, bytes[position + 1] == 10 else { throw .malformed }
            position += 2
            count += 1
            guard count <= maximumParts else { throw .malformed }
            guard let headerEnd = find(crlf + crlf, in: bytes, from: position), headerEnd - position <= maximumHeaderBytes else { throw .malformed }
            let headers = try headerLines(bytes[position..<headerEnd])
            let contentStart = headerEnd + 4
            guard let next = find(crlf + delimiter, in: bytes, from: contentStart) else { throw .malformed }
            guard let disposition = headers["content-disposition"], let name = parameter("name", in: disposition), !name.isEmpty else {
                throw .malformed
            }
            if parameter("filename", in: disposition) != nil || !(headers["content-type"].map(isText) ?? true) {
                parsed.fileCount += 1
            } else {
                guard let value = String(validating: bytes[contentStart..<next], as: UTF8.self) else { throw .malformed }
                parsed.fields.append((name, value))
            }
            position = next + 2
        }
    }

    static func headerLines(_ block: ArraySlice<UInt8>) throws(Failure) -> [String: String] {
        guard let text = String(validating: block, as: UTF8.self) else { throw .malformed }
        var headers: [String: String] = [:]
        for line in text.split(separator: "\r\n", omittingEmptySubsequences: true) {
            guard let colon = line.firstIndex(of: ":") else { throw .malformed }
            headers[line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return headers
    }

    /// A parameter of a header value (`name="x"` or `name=x`).
    static func parameter(_ key: String, in header: String) -> String? {
        for piece in header.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == key else { continue }
            var value = pair[1]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }

    static func isText(_ contentType: String) -> Bool {
        contentType.lowercased().hasPrefix("text/plain")
    }

    /// The first `needle` at or after `start` (Knuth–Morris–Pratt: linear in the haystack whatever
    /// its bytes, so that an unauthenticated body cannot make the search quadratic).
    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, start >= 0, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        var failure = [Int](repeating: 0, count: needle.count)
        var k = 0
        for i in 1..<max(needle.count, 1) where needle.count > 1 {
            while k > 0 && needle[i] != needle[k] { k = failure[k - 1] }
            if needle[i] == needle[k] { k += 1 }
            failure[i] = k
        }
        var matched = 0
        for index in start..<haystack.count {
            while matched > 0 && haystack[index] != needle[matched] { matched = failure[matched - 1] }
            if haystack[index] == needle[matched] { matched += 1 }
            if matched == needle.count { return index - needle.count + 1 }
        }
        return nil
    }
}
