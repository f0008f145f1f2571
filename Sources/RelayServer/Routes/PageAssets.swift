import Foundation
import NIOCore

/// The browser pages' files (HTML, CSS, JavaScript modules), kept as real files under
/// `Sources/RelayServer/Pages/<page>/` and shipped as package resources; read once at start-up and
/// served from memory. No framework, no build step, nothing fetched from elsewhere.
struct PageAssets: Sendable {
    /// One file, ready to send.
    struct Asset: Sendable {
        let body: ByteBuffer
        let contentType: String
    }

    /// Files by name (`index.html`, `app.js`, …).
    let files: [String: Asset]

    /// The files of `page` (a folder under `Pages/`); `substitutions` replace `{{KEY}}` markers in
    /// the HTML files with values the caller has already escaped for HTML.
    init(page: String, substitutions: [String: String] = [:]) {
        var files: [String: Asset] = [:]
        if let folder = Bundle.module.url(forResource: "Pages", withExtension: nil)?.appendingPathComponent(page),
            let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path)
        {
            for name in names.sorted() {
                guard let type = Self.contentType(of: name),
                    var text = try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
                else { continue }
                if name.hasSuffix(".html") {
                    for (key, value) in substitutions { text = text.replacingOccurrences(of: "{{\(key)}}", with: value) }
                }
                files[name] = Asset(body: ByteBuffer(string: text), contentType: type)
            }
        }
        self.files = files
    }

    /// Total size in bytes, uncompressed: the page's weight.
    var totalBytes: Int { files.values.reduce(0) { $0 + $1.body.readableBytes } }

    static func contentType(of name: String) -> String? {
        switch (name as NSString).pathExtension {
        case "html": "text/html; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "svg": "image/svg+xml"
        case "json": "application/json"
        default: nil
        }
    }

    /// Text for HTML attribute values and text nodes.
    static func htmlEscape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
