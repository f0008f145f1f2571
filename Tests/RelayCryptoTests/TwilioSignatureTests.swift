import Testing

@testable import RelayCrypto

/// Twilio's published request-validation vectors.
struct TwilioSignatureTests {
    let validator = TwilioSignature(authToken: "12345")
    let parameters = [
        ("CallSid", "CA1234567890ABCDE"), ("Caller", "+14158675309"), ("Digits", "1234"),
        ("From", "+14158675309"), ("To", "+18005551212"),
    ]

    @Test func thePublishedVectorMatches() {
        #expect(validator.signature(url: "https://mycompany.com/myapp.php?foo=1&bar=2", parameters: parameters) == "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
        #expect(validator.isValid(signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=", url: "https://mycompany.com/myapp.php?foo=1&bar=2", parameters: parameters))
    }

    @Test func parameterOrderDoesNotMatter() {
        #expect(validator.isValid(signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=", url: "https://mycompany.com/myapp.php?foo=1&bar=2", parameters: parameters.reversed()))
    }

    @Test func aURLWithAPortAlsoValidates() {
        #expect(validator.isValid(signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=", url: "https://mycompany.com:1234/myapp.php?foo=1&bar=2", parameters: parameters))
    }

    @Test func theHTTPVectorWithAPortMatches() {
        #expect(validator.signature(url: "http://mycompany.com:1234/myapp.php?foo=1&bar=2", parameters: parameters) == "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=")
        #expect(validator.isValid(signature: "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=", url: "http://mycompany.com:1234/myapp.php?foo=1&bar=2", parameters: parameters))
    }

    @Test func aDefaultPortIsTriedWhenTheURLHasNone() {
        let signedWithPort = validator.signature(url: "https://mycompany.com:443/myapp.php", parameters: parameters)
        #expect(validator.isValid(signature: signedWithPort, url: "https://mycompany.com/myapp.php", parameters: parameters))
    }

    @Test func anythingChangedIsRefused() {
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2"
        #expect(!validator.isValid(signature: "RSOYDt4T1cUTdK1PDd93/VVr8B9=", url: url, parameters: parameters))
        #expect(!validator.isValid(signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=", url: url + "&x=1", parameters: parameters))
        #expect(!validator.isValid(signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=", url: url, parameters: parameters + [("Body", "hi")]))
        #expect(!TwilioSignature(authToken: "54321").isValid(signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=", url: url, parameters: parameters))
        #expect(!validator.isValid(signature: "", url: url, parameters: parameters))
    }

    @Test func theJSONBodyVariantChecksTheBodyHash() {
        let body = Array(#"{"property": "value", "boolean": true}"#.utf8)
        let hash = Hex.encode(TwilioSignature.sha256(body))
        let url = "https://mycompany.com/myapp.php?bodySHA256=\(hash)"
        let signature = validator.signature(url: url, parameters: [])
        #expect(validator.isValidJSON(signature: signature, url: url, body: body))
        #expect(!validator.isValidJSON(signature: signature, url: url, body: body + [32]))
        #expect(!validator.isValidJSON(signature: signature, url: "https://mycompany.com/myapp.php", body: body))
    }

    /// Fuzz finding (FuzzTwilioWebhook, input `Fuzz/Corpus/FuzzTwilioWebhook/regression-query-at-start`):
    /// a query right at the start of the URL was skipped, so a correctly signed JSON body was refused;
    /// and a pair `=bodySHA256` was read as the parameter itself.
    @Test func theBodyHashIsFoundWhereverTheQueryStarts() {
        let body = [UInt8]()
        let hash = Hex.encode(TwilioSignature.sha256(body))
        let url = "?bodySHA256=\(hash)"
        #expect(validator.isValidJSON(signature: validator.signature(url: url, parameters: []), url: url, body: body))
        #expect(TwilioSignature.queryValue(of: "bodySHA256", in: "https://h/p??bodySHA256=1") == nil)
        #expect(TwilioSignature.queryValue(of: "bodySHA256", in: "https://h/p?=bodySHA256&bodySHA256=\(hash)") == hash)
        #expect(TwilioSignature.queryValue(of: "bodySHA256", in: "https://h/p?bodySHA256") == "")
    }

    @Test func sha256MatchesTheStandardVector() {
        #expect(Hex.encode(TwilioSignature.sha256(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
