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
            let key = TOTP.decodeBase32(totpSecret)
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
}
