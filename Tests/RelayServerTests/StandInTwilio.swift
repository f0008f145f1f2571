import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore

/// A stand-in for the Twilio Messages API, started by the test on 127.0.0.1: it records every
/// request and answers from a script (201 with a fresh `SM…` id when the script is empty).
actor StandInTwilio {
    struct Received: Sendable {
        let accountSID: String
        let authorization: String?
        let fields: [String: String]
    }

    enum Answer: Sendable {
        case accepted
        case status(Int, code: Int?)
        /// Accept the request, then answer only after `seconds` (longer than the client waits).
        case hang(seconds: Double)
    }

    private(set) var received: [Received] = []
    private var script: [Answer] = []
    private var counter = 0

    func enqueue(_ answers: Answer...) { script += answers }

    func record(_ request: Received) -> (Int, String, Double) {
        received.append(request)
        let answer = script.isEmpty ? .accepted : script.removeFirst()
        switch answer {
        case .accepted:
            counter += 1
            let sid = "SM" + String(format: "%032x", counter)
            return (201, #"{"sid":"\#(sid)","status":"queued"}"#, 0)
        case .status(let status, let code):
            return (status, code.map { #"{"code":\#($0),"message":"scripted failure","status":\#(status)}"# } ?? "{}", 0)
        case .hang(let seconds):
            counter += 1
            return (201, #"{"sid":"SM\#(String(format: "%032x", counter))","status":"queued"}"#, seconds)
        }
    }

    /// The application serving the stand-in API.
    nonisolated func application() -> some ApplicationProtocol {
        let router = Router()
        router.post("/2010-04-01/Accounts/:sid/Messages.json") { request, context -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 64 * 1024)
            var fields: [String: String] = [:]
            for pair in String(buffer: body).split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map {
                    String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
                }
                fields[parts[0]] = parts.count > 1 ? parts[1] : ""
            }
            let (status, json, delay) = await self.record(Received(
                accountSID: context.parameters.get("sid") ?? "", authorization: request.headers[.authorization], fields: fields))
            if delay > 0 { try? await Task.sleep(for: .seconds(delay)) }
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: json)))
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }
}
