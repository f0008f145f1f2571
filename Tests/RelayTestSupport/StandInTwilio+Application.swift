import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore

extension StandInTwilio {
    /// Runs the stand-in on 127.0.0.1 and a free port while `body` runs, then stops it.
    /// - Parameter body: Given the port; its result is returned.
    public nonisolated func run<Value: Sendable>(_ body: @escaping @Sendable (_ port: Int) async throws -> Value) async throws -> Value {
        try await application().test(.live) { client in try await body(client.port!) }
    }

    /// The application serving the stand-in API.
    nonisolated func application() -> some ApplicationProtocol {
        let router = Router()
        router.post("/2010-04-01/Accounts/:sid/Messages.json") { request, context -> Response in
            var request = request
            let form = String(buffer: try await request.collectBody(upTo: 64 * 1024))
            var fields: [String: String] = [:]
            for pair in form.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map {
                    String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
                }
                fields[parts[0]] = parts.count > 1 ? parts[1] : ""
            }
            let answer = await self.record(Received(
                accountSID: context.parameters.get("sid") ?? "", authorization: request.headers[.authorization], fields: fields, form: form))
            if let hold = answer.hold { await self.waitWhileHolding(atMost: hold) }
            if answer.delay > 0 { try? await Task.sleep(for: .seconds(answer.delay)) }
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .init(code: answer.status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: answer.json)))
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    /// Waits until ``release()``, until `limit` passes, or until the server stops.
    private nonisolated func waitWhileHolding(atMost limit: Duration) async {
        let deadline = ContinuousClock.now + limit
        do {
            while await isHolding, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
        } catch {
            return  // cancelled: the server is stopping
        }
    }
}
