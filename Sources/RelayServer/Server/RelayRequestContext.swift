import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RelayCore

/// The request context of every SafeRelay route: Hummingbird's core context plus the connection's
/// peer address, which serves only as the input to an in-memory, keyed, expiring rate-limit bucket
/// (invariant 5): it is never stored, logged or put in a metric.
public struct RelayRequestContext: RequestContext, RemoteAddressRequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The connected peer (the proxy's address behind a reverse proxy).
    public let remoteAddress: SocketAddress?
    /// The staff session, set by ``StaffAuthenticator`` on the `/api/v1` routes that need one.
    public var staff: StaffSession?
    /// The survivor's webchat session, set by ``SurvivorAuthenticator`` on the `/chat` routes that need one.
    public var survivor: WebchatSession?
    /// On `DELETE /chat/session` only: the stream key of a session that no longer opens (an erase
    /// whose answer was lost may be asked again). A keyed hash, never the token.
    var endedSurvivorSession: String?

    /// Creates the context for a request on `source.channel`.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    /// Who the client is, for per-client admission. Behind a proxy (`header` set and the peer one of
    /// `trustedProxies`) it is the last address of that header; a trusted proxy's request without a
    /// usable one shares a bucket of its own. Otherwise it is the socket peer. IPv6 addresses count by
    /// their /64 prefix, since one subscriber usually holds a whole /64.
    ///
    /// Addresses are compared in one canonical form (``canonical(_:)``), and the header is read from
    /// the right, skipping trusted hops, so that a chain of proxies (a CDN, then yours) works.
    func clientKey(request: Request, header: HTTPField.Name?, trustedProxies: Set<String>) -> String {
        let peer = Self.canonical(remoteAddress?.ipAddress ?? "unknown")
        let trusted = Set(trustedProxies.map(Self.canonical))
        guard let header, trusted.contains(peer) else { return Self.admissionKey(peer) }
        let hops = (request.headers[header] ?? "").split(separator: ",").map { Self.canonical(Self.stripPort(String($0))) }
        guard let client = hops.reversed().first(where: { !trusted.contains($0) }), client.count <= 64, Self.isAddress(client) else {
            return "proxy-without-client-address"
        }
        return Self.admissionKey(client)
    }

    /// One spelling per address: IPv4 as it is, IPv4-mapped IPv6 as IPv4, IPv6 as eight full groups.
    static func canonical(_ address: String) -> String {
        let trimmed = address.trimmingCharacters(in: .whitespaces)
        guard trimmed.contains(":"), let groups = ipv6Groups(trimmed) else { return trimmed }
        if groups[0..<5].allSatisfy({ $0 == 0 }) && groups[5] == 0xffff {
            return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].map(String.init).joined(separator: ".")
        }
        return groups.map { String(format: "%04x", $0) }.joined(separator: ":")
    }

    /// `[2001:db8::1]:443` → `2001:db8::1`; `203.0.113.7:5000` → `203.0.113.7`.
    static func stripPort(_ hop: String) -> String {
        let text = hop.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("["), let end = text.firstIndex(of: "]") { return String(text[text.index(after: text.startIndex)..<end]) }
        let parts = text.split(separator: ":")
        if parts.count == 2, parts[0].contains(".") { return String(parts[0]) }
        return text
    }

    /// The /48 an IPv6 admission key (`…::/64`) lies in, or `nil` for IPv4.
    static func wideKey(_ admissionKey: String) -> String? {
        guard admissionKey.hasSuffix("::/64") else { return nil }
        let groups = admissionKey.dropLast(5).split(separator: ":")
        guard groups.count == 4 else { return nil }
        return groups.prefix(3).joined(separator: ":") + "::/48"
    }

    /// An IPv4 address as it is; an IPv6 address as its /64 prefix (an IPv4-mapped one as IPv4).
    static func admissionKey(_ address: String) -> String {
        guard address.contains(":"), let groups = ipv6Groups(address) else { return address }
        if groups[0..<5].allSatisfy({ $0 == 0 }) && groups[5] == 0xffff {
            return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].map(String.init).joined(separator: ".")
        }
        return groups[0..<4].map { String(format: "%04x", $0) }.joined(separator: ":") + "::/64"
    }

    /// The eight 16-bit groups of a valid IPv6 address (zone dropped, `::` expanded, a trailing
    /// dotted IPv4 part split in two), or `nil`.
    static func ipv6Groups(_ address: String) -> [UInt16]? {
        let text = String(address.split(separator: "%", maxSplits: 1).first ?? "")
        guard (try? SocketAddress(ipAddress: text, port: 0)) != nil else { return nil }
        func groups(_ part: Substring) -> [UInt16]? {
            var result: [UInt16] = []
            for piece in part.split(separator: ":", omittingEmptySubsequences: true) {
                if piece.contains(".") {
                    let bytes = piece.split(separator: ".").compactMap { UInt16($0) }
                    guard bytes.count == 4 else { return nil }
                    result += [bytes[0] << 8 | bytes[1], bytes[2] << 8 | bytes[3]]
                } else {
                    guard let value = UInt16(piece, radix: 16) else { return nil }
                    result.append(value)
                }
            }
            return result
        }
        let halves = text.components(separatedBy: "::")
        guard let head = groups(Substring(halves[0])) else { return nil }
        guard halves.count == 2, let tail = groups(Substring(halves[1])) else { return head.count == 8 ? head : nil }
        let zeros = 8 - head.count - tail.count
        guard zeros >= 0 else { return nil }
        return head + Array(repeating: 0, count: zeros) + tail
    }

    static func isAddress(_ text: String) -> Bool {
        (try? SocketAddress(ipAddress: text, port: 0)) != nil
    }
}
