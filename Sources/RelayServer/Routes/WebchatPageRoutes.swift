import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /chat` and its script and stylesheet, with a strict Content-Security-Policy: scripts,
/// styles and connections only from this origin, nothing inline, no frames, no forms elsewhere.
struct WebchatPageRoutes<Context: RequestContext> {
    let configuration: ServerConfiguration

    static var contentSecurityPolicy: String {
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
            + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    }

    func register(on router: Router<Context>) {
        let html = WebchatPage.html(exitURL: configuration.exitURL)
        router.get("/chat") { _, _ in Self.asset(html, type: "text/html; charset=utf-8") }
        router.get("/chat/app.js") { _, _ in Self.asset(WebchatPage.javascript, type: "text/javascript; charset=utf-8") }
        router.get("/chat/app.css") { _, _ in Self.asset(WebchatPage.css, type: "text/css; charset=utf-8") }
    }

    static func asset(_ text: String, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[HTTPField.Name("Permissions-Policy")!] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
