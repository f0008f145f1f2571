import Foundation
import Hummingbird
import NIOCore

/// A stand-in Twilio Messages API on 127.0.0.1 that counts how often each reply body arrives.
actor StandInProvider {
    private(set) var bodies: [String: Int] = [:]
    private var counter = 0

    func record(body: String) -> String {
        bodies[body, default: 0] += 1
        counter += 1
        return "SM" + String(format: "%032x", counter)
    }

    nonisolated func application() -> some ApplicationProtocol {
        let router = Router()
        router.post("/2010-04-01/Accounts/:sid/Messages.json") { request, _ -> Response in
            var request = request
            let buffer = try await request.collectBody(upTo: 64 * 1024)
            var body = ""
            for pair in String(buffer: buffer).split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
                if parts.first == "Body", parts.count > 1 { body = parts[1] }
            }
            let sid = await self.record(body: body)
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .created, headers: headers, body: .init(byteBuffer: ByteBuffer(string: #"{"sid":"\#(sid)","status":"queued"}"#)))
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }
}
