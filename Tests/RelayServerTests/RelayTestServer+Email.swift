import Foundation
import HTTPTypes
import NIOCore
import HummingbirdTesting
import RelayChannels
import RelayCore
import RelayCrypto

extension RelayTestServer {
    /// One inbound email as Mailgun's route would post it.
    struct Email {
        var sender = "person@example.org"
        var recipient = "help@" + RelayTestServer.mailDomain
        var subject = "hello"
        var text = "I need to talk to someone"
        var messageID = "<\(UUID().uuidString)@mail.example.org>"
        var attachments: [(name: String, bytes: String)] = []
        var token = RandomToken.identifier() + RandomToken.identifier()
        var timestamp: Date? = nil
        var signature: String? = nil
        /// Fields Mailgun sends that must never be stored.
        var extra: [(String, String)] = []
        /// Whether Mailgun verified the sender (SPF passed), as its headers say.
        var verified = true
        /// Headers besides Mailgun's verdict (name, value).
        var headers: [(String, String)] = []

        func headers(verified: Bool) -> String {
            let all = [("X-Mailgun-Spf", verified ? "Pass" : "Fail")] + headers
            let data = try! JSONSerialization.data(withJSONObject: all.map { [$0.0, $0.1] })
            return String(decoding: data, as: UTF8.self)
        }
    }

    /// Posts a signed inbound email: a form, or multipart when it carries attachments.
    @discardableResult
    func inboundEmail(_ email: Email) async throws -> (HTTPResponse.Status, String) {
        let timestamp = String(Int((email.timestamp ?? clock.now()).timeIntervalSince1970))
        let signature = email.signature ?? MailgunSignature(signingKey: Self.mailgunSigningKey).signature(timestamp: timestamp, token: email.token)
        let fields: [(String, String)] = [
            ("recipient", email.recipient), ("sender", email.sender), ("from", "Someone <\(email.sender)>"), ("subject", email.subject),
            ("body-plain", email.text + "\n\n> quoted earlier mail"), ("stripped-text", email.text), ("Message-Id", email.messageID),
            ("attachment-count", String(email.attachments.count)), ("timestamp", timestamp), ("token", email.token), ("signature", signature),
        ] + [("message-headers", email.headers(verified: email.verified))] + email.extra
        var headers = HTTPFields()
        let body: ByteBuffer
        if email.attachments.isEmpty {
            headers[.contentType] = "application/x-www-form-urlencoded"
            body = ByteBuffer(string: FormEncoding.encode(fields))
        } else {
            let boundary = "----stand-in-boundary-7MA4YWxkTrZu0gW"
            headers[.contentType] = "multipart/form-data; boundary=\(boundary)"
            var text = ""
            for (name, value) in fields {
                text += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
            }
            for (index, attachment) in email.attachments.enumerated() {
                text += "--\(boundary)\r\nContent-Disposition: form-data; name=\"attachment-\(index + 1)\"; filename=\"\(attachment.name)\"\r\n"
                text += "Content-Type: application/octet-stream\r\n\r\n\(attachment.bytes)\r\n"
            }
            text += "--\(boundary)--\r\n"
            body = ByteBuffer(string: text)
        }
        return try await client.execute(uri: "/email/inbound", method: .post, headers: headers, body: body) { ($0.status, String(buffer: $0.body)) }
    }
}
