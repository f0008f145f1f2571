import Foundation

/// A stand-in for the Twilio Messages API on 127.0.0.1 and a free port: it records every request,
/// answers from a script (201 with a fresh `SM…` id when the script is empty), and can hold
/// requests open, as if the answer were lost, until released or for a time.
///
/// ```swift
/// let twilio = StandInTwilio()
/// await twilio.enqueue(.status(429, code: 20429))
/// try await twilio.run { port in
///     // point the relay at http://127.0.0.1:\(port)
///     #expect(await twilio.received.count == 1)
/// }
/// ```
public actor StandInTwilio {
    /// One request to `POST /2010-04-01/Accounts/{sid}/Messages.json`.
    public struct Received: Sendable {
        /// The account in the path.
        public let accountSID: String
        /// The `Authorization` header.
        public let authorization: String?
        /// The decoded form fields (`To`, `From`, `Body`, …).
        public let fields: [String: String]
        /// The form body as it arrived.
        public let form: String
    }

    /// A scripted answer to the next request.
    public enum Answer: Sendable {
        /// 201 with a fresh `SM…` id.
        case accepted
        /// This status, with a Twilio error body carrying `code` (or `{}` without one).
        case status(Int, code: Int?)
        /// Accept the request, then answer only after `seconds` (longer than the client waits).
        case hang(seconds: Double)
    }

    /// Every request so far, in order.
    public private(set) var received: [Received] = []
    private var script: [Answer] = []
    private var counter = 0
    private var holding: Duration?

    /// A stand-in that answers at once, or holds every request up to `hold` until ``release()``.
    public init(holdingFor hold: Duration? = nil) {
        holding = hold
    }

    /// How many times each `Body` arrived.
    public var bodyCounts: [String: Int] {
        received.reduce(into: [:]) { counts, request in counts[request.fields["Body"] ?? "", default: 0] += 1 }
    }

    /// Answers to use, in order, for the next requests.
    public func enqueue(_ answers: Answer...) { script += answers }

    /// From now on, holds each request up to `duration` before answering (until ``release()``).
    public func hold(for duration: Duration) { holding = duration }

    /// Stops holding: requests held now are answered at once, new ones are not held.
    public func release() { holding = nil }

    /// Whether requests are being held.
    var isHolding: Bool { holding != nil }

    /// Records a request and says how to answer it: status, JSON body, a delay, and how long at
    /// most to hold it (while holding lasts).
    func record(_ request: Received) -> (status: Int, json: String, delay: Double, hold: Duration?) {
        received.append(request)
        let answer = script.isEmpty ? .accepted : script.removeFirst()
        switch answer {
        case .accepted:
            return (201, acceptedJSON(), 0, holding)
        case .status(let status, let code):
            return (status, code.map { #"{"code":\#($0),"message":"scripted failure","status":\#(status)}"# } ?? "{}", 0, holding)
        case .hang(let seconds):
            return (201, acceptedJSON(), seconds, holding)
        }
    }

    private func acceptedJSON() -> String {
        counter += 1
        return #"{"sid":"SM\#(String(format: "%032x", counter))","status":"queued"}"#
    }
}
