import Foundation

/// What advocates know about reaching a contact safely. Kept on the contact (never on a thread), so
/// that it holds for every thread the person has now or opens later. Flags only, no content.
public struct ContactSafetyFlags: Sendable, Equatable {
    /// No reply may go out at all.
    public var doNotContact: Bool
    /// The phone may be monitored: a text needs an explicit, audited override.
    public var phoneMayBeMonitored: Bool
    /// Texting is not safe: a text needs an explicit, audited override.
    public var notSafeToText: Bool

    /// Creates the flags (all clear by default).
    public init(doNotContact: Bool = false, phoneMayBeMonitored: Bool = false, notSafeToText: Bool = false) {
        self.doNotContact = doNotContact
        self.phoneMayBeMonitored = phoneMayBeMonitored
        self.notSafeToText = notSafeToText
    }

    /// Whether a text to this contact needs an override (monitored or not safe to text).
    public var textNeedsOverride: Bool { phoneMayBeMonitored || notSafeToText }
}
