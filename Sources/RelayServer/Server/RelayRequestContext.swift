import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The request context of every SafeRelay route: Hummingbird's core context plus the connection's
/// peer address, which serves only as the input to an in-memory, keyed, expiring rate-limit bucket
/// (invariant 5): it is never stored, logged or put in a metric.
public struct RelayRequestContext: RequestContext, RemoteAddressRequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The connected peer (the proxy's address behind a reverse proxy).
    public let remoteAddress: SocketAddress?

    /// Creates the context for a request on `source.channel`.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    /// Who the client is, for per-client admission. Behind a proxy (`header` set and the peer one of
    /// `trustedProxies`) it is the last address of that header; a trusted proxy's request without a
    /// usable one shares a bucket of its own. Otherwise it is the socket peer. IPv6 addresses count by
    /// their /64 prefix, since one subscriber usually holds a whole /64.
    func clientKey(request: Request, header: HTTPField.Name?, trustedProxies: Set<String>) -> String {
        let peer = remoteAddress?.ipAddress ?? "unknown"
        guard let header, trustedProxies.contains(peer) else { return Self.admissionKey(peer) }
        guard let value = request.headers[header],
            let last = value.split(separator: ",").last.map({ $0.trimmingCharacters(in: .whitespaces) }),
            last.count <= 64, Self.isAddress(last)
        else { return "proxy-without-client-address" }
        return Self.admissionKey(last)
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
