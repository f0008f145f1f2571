import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore

/// A stand-in for Mailgun's Messages API (`POST /v3/{domain}/messages`) on 127.0.0.1 and a free
/// port: it records every request and answers from a script (200 with a fresh id when the script
/// is empty); it can hang, as if the answer were lost.
public actor StandInMailgun {
    /// One request.
    public struct Received: Sendable {
        /// The domain in the path.
        public let domain: String
        /// The `Authorization` header.
        public let authorization: String?
        /// The decoded form fields (`from`, `to`, `subject`, `text`, …).
        public let fields: [String: String]
    }

    /// A scripted answer to the next request.
    public enum Answer: Sendable {
        /// 200 with a fresh id.
        case accepted
        /// This status, with a Mailgun-like error body.
        case status(Int)
        /// Accept, then answer only after `seconds` (longer than the client waits).
        case hang(seconds: Double)
    }

    /// Every request so far, in order.
    public private(set) var received: [Received] = []
    private var script: [Answer] = []
    private var counter = 0

    /// A stand-in that answers at once.
    public init() {}

    /// Answers to use, in order, for the next requests.
    public func enqueue(_ answers: Answer...) { script += answers }

    func record(_ request: Received) -> (status: Int, json: String, delay: Double) {
        received.append(request)
        switch script.isEmpty ? .accepted : script.removeFirst() {
        case .accepted:
            counter += 1
            return (200, #"{"id":"<stand-in.\#(counter)@\#(request.domain)>","message":"Queued. Thank you."}"#, 0)
        case .status(let status):
            return (status, #"{"message":"scripted failure"}"#, 0)
        case .hang(let seconds):
            counter += 1
            return (200, #"{"id":"<stand-in.\#(counter)@\#(request.domain)>","message":"Queued. Thank you."}"#, seconds)
        }
    }

    /// Runs the stand-in while `body` runs, then stops it. `body` is given the port.
    public nonisolated func run<Value: Sendable>(_ body: @escaping @Sendable (_ port: Int) async throws -> Value) async throws -> Value {
        let router = Router()
        router.post("/v3/:domain/messages") { request, context -> Response in
            var request = request
            let form = String(buffer: try await request.collectBody(upTo: 256 * 1024))
            var fields: [String: String] = [:]
            for pair in form.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map {
                    String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
                }
                fields[parts[0]] = parts.count > 1 ? parts[1] : ""
            }
            let answer = await self.record(Received(domain: context.parameters.get("domain") ?? "", authorization: request.headers[.authorization], fields: fields))
            if answer.delay > 0 { try? await Task.sleep(for: .seconds(answer.delay)) }
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .init(code: answer.status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: answer.json)))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await app.test(.live) { client in try await body(client.port!) }
    }
}
