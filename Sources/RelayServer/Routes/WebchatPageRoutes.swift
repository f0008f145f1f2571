import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /chat` and its scripts and stylesheet (files under `Pages/webchat/`; `event-frames.js` is
/// the console's too), with a strict
/// Content-Security-Policy: scripts, styles and connections only from this origin, nothing inline,
/// no frames, no forms elsewhere.
struct WebchatPageRoutes<Context: RequestContext> {
    let configuration: ServerConfiguration

    static var contentSecurityPolicy: String {
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
            + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    }

    func register(on router: Router<Context>) {
        let page = PageAssets(page: "webchat", substitutions: ["EXIT_URL": PageAssets.htmlEscape(configuration.exitURL)])
        for (path, name) in [("/chat", "index.html"), ("/chat/app.js", "app.js"), ("/chat/app.css", "app.css"), ("/chat/event-frames.js", "event-frames.js")] {
            guard let asset = page.files[name] else { preconditionFailure("Pages/webchat/\(name) is missing from the build") }
            router.get(RouterPath(path)) { _, _ in Self.serve(asset) }
        }
    }

    /// An asset with the pages' security headers; never cached (a shared machine keeps nothing).
    static func serve(_ asset: PageAssets.Asset) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = asset.contentType
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("Permissions-Policy")!] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: asset.body))
    }
}
