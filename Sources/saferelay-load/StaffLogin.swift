import Foundation
import NIOHTTP1
import RelayCrypto

/// Creates a supervisor account with the CLI, enrols it and logs in with a TOTP code, as an
/// advocate would; returns the session token.
enum StaffLogin {
    static func supervisorToken(server: ServerUnderTest, driver: HTTPDriver) async throws -> String {
        let name = "loadtest"
        let password = "load-violet-lamp-42-harbour"
        let added = try server.command(["advocates", "add", name, "--role", "supervisor"])
        guard added.0 == 0, let secret = added.1.split(whereSeparator: \.isWhitespace).last.map(String.init) else {
            throw LoadError.setupFailed("advocates add exited \(added.0)")
        }
        let enrolment = await driver.send(
            .POST, "/api/v1/enrolment", headers: [("Content-Type", "application/json")],
            body: #"{"name":"\#(name)","secret":"\#(secret)","password":"\#(password)"}"#)
        guard enrolment?.status == 201 || enrolment?.status == 200,
            let totpSecret = HTTPDriver.object(enrolment?.body)["totp_secret"] as? String,
            let key = base32Decode(totpSecret)
        else { throw LoadError.setupFailed("enrolment answered \(enrolment?.status ?? 0)") }
        let totp = TOTP(secret: key)
        let code = totp.code(step: totp.step(at: UInt64(Date().timeIntervalSince1970)))
        let login = await driver.send(
            .POST, "/api/v1/sessions", headers: [("Content-Type", "application/json")],
            body: #"{"name":"\#(name)","password":"\#(password)","code":"\#(code)"}"#)
        guard let token = HTTPDriver.object(login?.body)["token"] as? String else {
            throw LoadError.setupFailed("login answered \(login?.status ?? 0)")
        }
        return token
    }

    /// RFC 4648 base32 without padding, as authenticator apps take it.
    static func base32Decode(_ text: String) -> [UInt8]? {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var bytes: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for char in text where char != "=" {
            guard let value = alphabet.firstIndex(of: char) else { return nil }
            buffer = (buffer << 5) | UInt32(value)
            bits += 5
            if bits >= 8 {
                bytes.append(UInt8((buffer >> UInt32(bits - 8)) & 0xff))
                bits -= 8
            }
        }
        return bytes
    }
}
