import Foundation
import Logging
@testable import RelayCore
import RelayCrypto
import RelayStore
import RelayTestSupport

/// A real relay over a real SQLite file in a temporary folder, with captured logs.
struct RelayHarness {
    let directory: TemporaryDirectory
    let store: SQLiteStore
    let relay: Relay
    let logs: CapturedLogs
    let clock: ManualClock

    var databasePath: String { store.path }

    init(keyring: Keyring = .generate(now: "2026-11-23T20:00:00Z")) throws {
        directory = try TemporaryDirectory()
        store = try SQLiteStore(path: directory.file("data/saferelay.sqlite"))
        logs = CapturedLogs()
        clock = ManualClock()
        relay = Relay(store: store, keyring: keyring, clock: clock, logger: logs.logger())
    }

    /// A relay over the same store with another keyring (after rotation).
    func with(keyring: Keyring) -> Relay {
        Relay(store: store, keyring: keyring, clock: clock, logger: logs.logger())
    }

    func tearDown() {
        try? store.close()
        directory.remove()
    }

    func sms(_ phone: String, _ body: String, sid: String? = nil) throws -> InboundMessage {
        InboundMessage(address: try .phone(phone), body: body, deliveryID: sid)
    }
}
