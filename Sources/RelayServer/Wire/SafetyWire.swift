import RelayCore

/// A contact's safety considerations on the wire (`PUT …/case/safety` and inside every case
/// record answer): `phone_may_be_monitored` and `do_not_contact` are required, `safe_to_text` and
/// `safe_times` may be absent or null (absent in answers when unknown).
struct SafetyWire: Codable {
    let safe_to_text: Bool?
    let safe_times: String?
    let phone_may_be_monitored: Bool
    let do_not_contact: Bool

    init(_ safety: CaseRecord.Safety) {
        safe_to_text = safety.safeToText
        safe_times = safety.safeTimes
        phone_may_be_monitored = safety.phoneMayBeMonitored
        do_not_contact = safety.doNotContact
    }

    /// The core's value.
    var safety: CaseRecord.Safety {
        CaseRecord.Safety(safeToText: safe_to_text, safeTimes: safe_times, phoneMayBeMonitored: phone_may_be_monitored, doNotContact: do_not_contact)
    }
}
