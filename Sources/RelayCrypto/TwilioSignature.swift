import COpenSSL
import CSodium
import Foundation

/// Twilio's request signature (`X-Twilio-Signature`), checked exactly as Twilio computes it:
/// base64(HMAC-SHA1(auth token, URL ‖ each POST parameter name and value, sorted by name)).
/// The auth token is held in secure memory; comparisons are constant-time.
public final class TwilioSignature: Sendable {
    private let authToken: SecureBytes

    /// Wraps the account's auth token.
    public init(authToken: String) {
        let bytes = Array(authToken.utf8)
        let secret = SecureBytes(count: max(bytes.count, 1))
        secret.initialise { out in
            for (index, byte) in bytes.enumerated() { out[index] = byte }
        }
        self.authToken = secret
    }

    /// The signature of a form POST to `url` with `parameters`.
    public func signature(url: String, parameters: [(String, String)]) -> String {
        // Sort by name, then by value for repeated names, as Twilio's own libraries do.
        let sorted = parameters.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
        var data = Array(url.utf8)
        for (name, value) in sorted {
            data += Array(name.utf8)
            data += Array(value.utf8)
        }
        return Base64.encode(hmacSHA1(data))
    }

    /// Whether `signature` is valid for a form POST, trying the URL as given, without its port, and
    /// with the scheme's default port (Twilio may sign either form).
    public func isValid(signature: String, url: String, parameters: [(String, String)]) -> Bool {
        Self.urlVariants(url).contains { variant in
            ConstantTime.equals(Array(self.signature(url: variant, parameters: parameters).utf8), Array(signature.utf8))
        }
    }

    /// Whether `signature` is valid for a JSON POST: the URL (carrying `bodySHA256`) is signed with no
    /// parameters, and the body's SHA-256 must equal that query value.
    public func isValidJSON(signature: String, url: String, body: [UInt8]) -> Bool {
        guard let expected = Self.queryValue(of: "bodySHA256", in: url),
            ConstantTime.equals(Array(Hex.encode(Self.sha256(body)).utf8), Array(expected.lowercased().utf8))
        else { return false }
        return isValid(signature: signature, url: url, parameters: [])
    }

    /// SHA-256 (libsodium).
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        SHA256.hash(bytes)
    }

    private func hmacSHA1(_ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let keyLength = authToken.count == 1 && authToken.withUnsafeBytes({ $0[0] }) == 0 ? 0 : authToken.count
        authToken.withUnsafeBytes { key in
            _ = HMAC(EVP_sha1(), key.baseAddress, Int32(keyLength), data, data.count, &out, &length)
        }
        return Array(out.prefix(Int(length)))
    }

    /// The URL as given, plus the same with its port removed or the default port added.
    static func urlVariants(_ url: String) -> [String] {
        guard let schemeEnd = url.range(of: "://") else { return [url] }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        let rest = url[schemeEnd.upperBound...]
        let delimiters: Set<Character> = ["/", "?", "#"]
        let authorityEnd: Substring.Index = rest.firstIndex(where: { delimiters.contains($0) }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let tail = rest[authorityEnd...]
        let hostPart: Substring
        let hasPort: Bool
        if let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]") {
            hostPart = authority[..<colon]
            hasPort = true
        } else {
            hostPart = authority
            hasPort = false
        }
        let prefix = url[..<schemeEnd.upperBound]
        let defaultPort = scheme == "https" ? "443" : "80"
        let other = hasPort ? "\(prefix)\(hostPart)\(tail)" : "\(prefix)\(hostPart):\(defaultPort)\(tail)"
        return [url, other]
    }

    /// The value of the first `name=` parameter of the URL's query, read as UTF-8 bytes (as Twilio
    /// signs them), without percent-decoding; `nil` when there is none.
    static func queryValue(of name: String, in url: String) -> String? {
        let bytes = Array(url.utf8)
        guard let mark = bytes.firstIndex(of: UInt8(ascii: "?")) else { return nil }
        let wanted = Array(name.utf8)
        for pair in bytes[(mark + 1)...].split(separator: UInt8(ascii: "&")) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            if parts[0].elementsEqual(wanted) { return parts.count > 1 ? String(decoding: parts[1], as: UTF8.self) : "" }
        }
        return nil
    }
}
