import Foundation
import FuzzSupport
import RelayCore
import RelayCrypto
import RelayWire

// Input: a line with the Content-Type header, then the body of `POST /email/inbound`. Parsed as the
// route parses it (multipart with its boundary, else a form); then the signature with a fixed
// signing key (which must refuse what the fuzzer did not sign), and the sender's address.

private let signing = MailgunSignature(signingKey: "fuzz-signing-key-0123456789abcdef")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEmailWebhook(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    var input = FuzzInput(start, count)
    let contentType = input.line()
    let body = input.rest()
    guard body.count <= 4 * 1024 * 1024 else { return 0 }
    let fields: [(String, String)]
    if let boundary = MultipartForm.boundary(contentType: contentType) {
        Property.require((1...70).contains(boundary.utf8.count), "a boundary out of bounds was accepted")
        guard let parsed = try? MultipartForm.parse(body, boundary: boundary) else { return 0 }
        Property.require(parsed.fields.count + parsed.fileCount <= MultipartForm.maximumParts, "more parts than allowed were accepted")
        fields = parsed.fields
    } else {
        guard let parsed = try? FormBody.parse(body) else { return 0 }
        fields = parsed
    }
    // Whatever the fields say, nothing the fuzzer made is signed with a key it does not know (a
    // chance hit of HMAC-SHA256 is not a finding).
    if let timestamp = fields.first("timestamp"), let token = fields.first("token"), let signature = fields.first("signature") {
        let valid = signing.isValid(timestamp: timestamp, token: token, signature: signature)
        Property.require(!valid || signing.signature(timestamp: timestamp, token: token) == signature.lowercased(), "a signature check disagrees with the signature")
    }
    if let sender = fields.first("sender"), let address = try? ContactAddress.email(sender) {
        Property.require(address.normalised == address.normalised.lowercased() && address.normalised.contains("@"), "an email address did not normalise")
        Property.require((try? ContactAddress.email(address.normalised))?.normalised == address.normalised, "a normalised address does not normalise to itself")
    }
    return 0
}
