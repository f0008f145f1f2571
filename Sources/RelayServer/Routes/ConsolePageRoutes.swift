import Hummingbird

/// `GET /console` and its stylesheet and JavaScript modules (files under `Pages/console/`), with
/// the same strict Content-Security-Policy as the webchat page: scripts, styles and connections
/// from this origin only, nothing inline, no `eval`, no frames. The token the console holds lives in
/// its JavaScript memory only.
struct ConsolePageRoutes<Context: RequestContext> {
    /// The console's files; each is served at `/console/<name>`, `index.html` at `/console`.
    static var page: PageAssets { PageAssets(page: "console") }

    func register(on router: Router<Context>) {
        let page = Self.page
        guard let index = page.files["index.html"] else { preconditionFailure("Pages/console/index.html is missing from the build") }
        router.get("/console") { _, _ in WebchatPageRoutes<Context>.serve(index) }
        for (name, asset) in page.files where name != "index.html" {
            router.get(RouterPath("/console/\(name)")) { _, _ in WebchatPageRoutes<Context>.serve(asset) }
        }
    }
}
