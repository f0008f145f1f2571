import FuzzSupport
import RelayCore
import RelayCrypto
import RelayWire

// Input: a flags byte, then lines `Content-Type`, URL, `X-Twilio-Signature`, then the body.
// Flags: 1 = sign the request correctly (so the code after the signature check is reached),
// 2 = with 1 and JSON, append `bodySHA256` to the URL, 4 = no Content-Type header at all.

private let validator = TwilioSignature(authToken: FuzzKeys.twilioAuthToken)
private let settings = RelaySettings()
/// The server's default `maximumBodyBytes`.
private let maximumBodyBytes = 64 * 1024

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTwilioWebhook(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    var input = FuzzInput(start, count)
    let flags = input.byte()
    let contentTypeLine = input.line()
    var url = input.line()
    var signature = input.line()
    let body = input.rest()
    guard body.count <= maximumBodyBytes else { return -1 }
    let contentType: String? = flags & 4 != 0 ? nil : contentTypeLine

    var signedCorrectly = false
    if flags & 1 != 0 {
        switch TwilioWebhookBody.encoding(contentType: contentType) {
        case .json:
            let urlBytes = Array(url.utf8)
            if flags & 2 != 0 && !contains(urlBytes, "bodySHA256") && !contains(urlBytes, "#") {
                url += (contains(urlBytes, "?") ? "&" : "?") + "bodySHA256=" + Hex.encode(TwilioSignature.sha256(body))
                signedCorrectly = true
            }
            signature = validator.signature(url: url, parameters: [])
        case .form:
            if let fields = try? FormBody.parse(body) {
                signature = validator.signature(url: url, parameters: fields)
                signedCorrectly = true
            }
        case nil:
            break
        }
    }
    guard signature.count <= TwilioWebhookBody.maximumSignatureLength else { return -1 }

    let fields: [(String, String)]
    do throws(TwilioWebhookBody.Failure) {
        fields = try TwilioWebhookBody.verifiedFields(
            contentType: contentType, body: body,
            isValidJSON: { validator.isValidJSON(signature: signature, url: url, body: $0) },
            isValidForm: { validator.isValid(signature: signature, url: url, parameters: $0) })
    } catch {
        Property.require(!(signedCorrectly && error == .badSignature), "a correctly signed webhook was refused")
        return 0
    }
    if TwilioWebhookBody.encoding(contentType: contentType) == .form {
        checkFormRoundTrip(fields)
    }
    inboundChecks(fields)
    return 0
}

/// Whether `bytes` contain `text`'s UTF-8 bytes (a URL is signed as bytes, not characters).
private func contains(_ bytes: [UInt8], _ text: String) -> Bool {
    let needle = Array(text.utf8)
    guard bytes.count >= needle.count else { return false }
    return (0...(bytes.count - needle.count)).contains { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }
}

/// The form parser's output re-encodes to a body that parses to the same fields.
private func checkFormRoundTrip(_ fields: [(String, String)]) {
    Property.require(fields.count <= FormBody.maximumFields, "more fields than the limit")
    Property.require(fields.allSatisfy { !$0.0.isEmpty }, "a field with an empty name")
    let encoded = fields.map { percentEncode($0.0) + "=" + percentEncode($0.1) }.joined(separator: "&")
    guard let again = try? FormBody.parse(Array(encoded.utf8)) else {
        Property.require(false, "a re-encoded form does not parse")
        return
    }
    Property.require(again.elementsEqual(fields, by: { $0 == $1 }), "a re-encoded form parses differently")
}

private func percentEncode(_ text: String) -> String {
    var out = ""
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            out.unicodeScalars.append(Unicode.Scalar(byte))
        default:
            out += "%" + Hex.encode([byte]).uppercased()
        }
    }
    return out
}

/// What `POST /sms/twilio/inbound` does with the fields before it reaches the store.
private func inboundChecks(_ fields: [(String, String)]) {
    if let sid = fields.first("MessageSid") ?? fields.first("SmsSid") {
        _ = TwilioWebhookBody.isProviderID(sid)
    }
    let body = fields.first("Body") ?? ""
    if let from = fields.first("From"), let address = try? ContactAddress.phone(from) {
        let again = try? ContactAddress.phone(address.normalised)
        Property.require(again == address, "a normalised phone number does not normalise to itself")
        if body.count <= settings.maximumSMSCharacters, SMSKeyword.match(body, settings: settings) == nil {
            _ = try? InboundMessage(address: address, body: body, deliveryID: fields.first("MessageSid")).validate()
        }
    }
    if let keyword = SMSKeyword.match(body, settings: settings) {
        Property.require(SMSKeyword.match(" \(body)\n", settings: settings) == keyword, "a keyword stops matching with surrounding blanks")
    }
}
