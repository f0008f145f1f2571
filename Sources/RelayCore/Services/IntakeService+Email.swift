import Foundation
import Logging
import RelayCrypto
import RelayModel
import RelayStore

/// An email as the provider's webhook hands it over, already stripped: no headers, no addresses
/// but the sender's, no attachments.
public struct InboundEmail: Sendable {
    /// Longest subject kept, in characters.
    public static let maximumSubjectCharacters = 200
    /// Longest text kept, in characters; the rest is cut, and the advocate is told.
    public static let maximumTextCharacters = 16_000

    /// The envelope sender.
    public var address: ContactAddress
    /// The subject line.
    public var subject: String
    /// The new text of the message (the provider's `stripped-text`: no quoted reply, no signature).
    public var text: String
    /// The message's id (`Message-Id`), only to store a provider's retry once (a keyed hash is kept).
    public var messageID: String?
    /// How many attachments the provider sent (dropped unread).
    public var attachmentsDropped: Int
    /// Whether the provider verified the sender (SPF or DKIM passed). An unverified sender's mail is
    /// kept in a conversation of its own that opens no reply window and gets no automatic answer:
    /// anyone can write a survivor's address as the sender.
    public var senderVerified: Bool
    /// Whether the mail says it was sent by a machine (`Auto-Submitted`, `Precedence: bulk`): no
    /// automatic answer to it, so that two robots never answer each other.
    public var automated: Bool

    /// Creates an inbound email.
    public init(
        address: ContactAddress, subject: String, text: String, messageID: String?, attachmentsDropped: Int, senderVerified: Bool = true,
        automated: Bool = false
    ) {
        self.address = address
        self.subject = subject
        self.text = text
        self.messageID = messageID
        self.attachmentsDropped = attachmentsDropped
        self.senderVerified = senderVerified
        self.automated = automated
    }

    /// The sealed body: the subject and the text, and a note of what was cut or dropped.
    var body: String {
        var text = self.text.trimmingCharacters(in: .whitespacesAndNewlines)
        var notes: [String] = []
        if text.count > Self.maximumTextCharacters {
            text = String(text.prefix(Self.maximumTextCharacters))
            notes.append("[the rest of a longer message was cut]")
        }
        if attachmentsDropped > 0 { notes.append("[\(attachmentsDropped) attachment(s) removed unread: attachments are not accepted]") }
        if !senderVerified {
            notes.append("[the sender's address could not be verified (SPF, DKIM): kept apart, no reply can go to it]")
        }
        let subject = String(self.subject.trimmingCharacters(in: .whitespacesAndNewlines).prefix(Self.maximumSubjectCharacters))
        return (["Subject: \(subject.isEmpty ? "(none)" : subject)", "", text.isEmpty ? "(no text)" : text] + notes).joined(separator: "\n")
    }
}

extension IntakeService {
    /// Stores an email like any inbound message (durably, sealed, threaded by a keyed hash of the
    /// sender, triaged), once per message id however often the provider retries.
    /// `webhookToken` is the provider's one-time signature token: a second use is refused
    /// (`RelayError.unauthorized`), since the signature does not cover the body.
    public func ingestEmail(_ email: InboundEmail, webhookToken: String? = nil) async throws -> IngestReceipt {
        guard email.address.channel == .email else { throw RelayError.invalidInput("not an email address") }
        var address = email.address
        address.unverified = !email.senderVerified
        let addressIndex = self.addressIndex(address)
        let deliveryIndex = email.messageID.map { self.deliveryIndex(channel: .email, deliveryID: $0) }
        let now = clock.now().storeTime
        let envelope = self.envelope
        let tokenIndex = webhookToken.map { self.deliveryIndex(channel: .email, deliveryID: "webhook-token:" + $0) }
        let receipt = try await storeInbound(
            body: Array(email.body.utf8), channel: .email, deliveryIndex: deliveryIndex, at: now, oneTimeIndex: tokenIndex,
            opensWindow: email.senderVerified && !email.automated, automaticAnswer: email.senderVerified && !email.automated
        ) { [address] writer in
            if let known = try await writer.contact(addressIndex: addressIndex) { return known }
            return try await Self.newContact(address: address, addressIndex: addressIndex, now: now, envelope: envelope, writer: writer)
        }
        return receipt
    }

    /// A keyword from a verified email sender (``handleKeyword(_:from:deliveryID:)``). An erase also
    /// erases what anyone sent in that address's name without verification: the person asked for
    /// everything under their address to go.
    public func handleEmailKeyword(_ keyword: SMSKeyword, from address: ContactAddress, deliveryID: String) async throws -> KeywordOutcome {
        let outcome = try await handleKeyword(keyword, from: address, deliveryID: deliveryID)
        if keyword == .erase, outcome != .duplicate {
            var unverified = address
            unverified.unverified = true
            _ = try await handleKeyword(.erase, from: unverified, deliveryID: deliveryID + ":unverified")
        }
        return outcome
    }
}
