import RelayCore

/// The advocates' API's request and response bodies, in the wire's one style (`snake_case`), as
/// `openapi.json` describes them.
extension StaffRoutes {
    struct EnrolInput: Decodable {
        let name: String
        let secret: String
        let password: String
    }
    struct EnrolAnswer: Encodable {
        let totp_secret: String
        let otpauth_uri: String
    }
    struct LoginInput: Decodable {
        let name: String
        let password: String
        let code: String
        /// The device token an earlier login handed this machine, if it kept one.
        let device: String?
    }
    struct LoginAnswer: Encodable {
        let token: String
        let role: String
        let expires_at: String
        /// A new device token to keep (in the browser's storage) and send with later logins.
        let device: String?
    }
    struct QueueAnswer: Encodable {
        struct Item: Encodable {
            let thread: String
            let pseudonym: String
            let channel: String
            let waiting_since: String
            let priority: Int
            let assigned_to: String?
            let pinned: Bool
            let language: String?
        }
        let threads: [Item]
        /// Where the next page starts (pass as `after`), or null at the end.
        let next: String?
        /// Open threads per channel.
        let waiting: [String: Int]

        enum CodingKeys: String, CodingKey { case threads, next, waiting }

        /// `next` is always there, null at the end.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(threads, forKey: .threads)
            try container.encode(next, forKey: .next)
            try container.encode(waiting, forKey: .waiting)
        }
    }
    struct MessageView: Encodable {
        let id: String
        let from: String
        let text: String
        let at: String
        let delivery: String?
    }
    struct ThreadAnswer: Encodable {
        struct Earlier: Encodable {
            let thread: String
            let opened_at: String
            let messages: [MessageView]
        }
        let thread: String
        let pseudonym: String
        let channel: String
        let state: String
        let do_not_contact: Bool
        let text_needs_override: Bool
        let messages: [MessageView]
        let earlier: [Earlier]
        let case_record: CaseRecordAnswer
        /// For SMS: when the survivor's reply window closes (null before they write); null for webchat.
        let reply_window_closes_at: String?
        /// The survivor texted STOP.
        let opted_out: Bool
        /// The survivor asked for this conversation to be erased (a hold keeps it).
        let erase_requested: Bool
        /// Why a reply could not go out now (the code sending would answer: window_closed,
        /// do_not_contact, opted_out, erase_requested, thread_erased), null when it can.
        let reply_refusal: String?
        /// The conversation's language (`en`, `es`), null before triage set one.
        let language: String?
        /// An out-of-scope redirect answered it and keeps it out of the waiting queue.
        let redirected: Bool
        /// Until when a supervisor's block holds the person's messages back, null when none does.
        let blocked_until: String?

        enum CodingKeys: String, CodingKey {
            case thread, pseudonym, channel, state, do_not_contact, text_needs_override, messages, earlier, case_record, reply_window_closes_at
            case opted_out, erase_requested, reply_refusal, language, redirected, blocked_until
        }

        /// `reply_window_closes_at` and `reply_refusal` are always there, null when there is none.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(thread, forKey: .thread)
            try container.encode(pseudonym, forKey: .pseudonym)
            try container.encode(channel, forKey: .channel)
            try container.encode(state, forKey: .state)
            try container.encode(do_not_contact, forKey: .do_not_contact)
            try container.encode(text_needs_override, forKey: .text_needs_override)
            try container.encode(messages, forKey: .messages)
            try container.encode(earlier, forKey: .earlier)
            try container.encode(case_record, forKey: .case_record)
            try container.encode(reply_window_closes_at, forKey: .reply_window_closes_at)
            try container.encode(opted_out, forKey: .opted_out)
            try container.encode(erase_requested, forKey: .erase_requested)
            try container.encode(reply_refusal, forKey: .reply_refusal)
            try container.encode(language, forKey: .language)
            try container.encode(redirected, forKey: .redirected)
            try container.encode(blocked_until, forKey: .blocked_until)
        }
    }
    struct CloseInput: Decodable { let disposition: String? }
    struct BlockInput: Decodable {
        /// How long, in hours (default: the triage policy's).
        let hours: Int?
        let reason: String
    }
    struct BlockAnswer: Encodable { let blocked_until: String }
    struct CannedAnswer: Encodable { let responses: [ConsoleTexts.CannedResponse] }
    struct DispositionsAnswer: Encodable {
        struct Disposition: Encodable {
            let code: String
            let label: ConsoleTexts.Bilingual
        }
        let dispositions: [Disposition]
    }
    struct NoteInput: Decodable { let text: String }
    struct ReferralInput: Decodable {
        let to: String
        let outcome: String
    }
    struct OutcomeInput: Decodable { let outcome: String }
    struct TagsInput: Decodable { let tags: [String] }
    /// Both members are required (`null` clears one): a body that forgot one must not clear it.
    struct ProfileInput: Decodable {
        let region: String?
        let reached_out_by: String?

        enum CodingKeys: String, CodingKey { case region, reached_out_by }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            region = try container.decode(String?.self, forKey: .region)
            reached_out_by = try container.decode(String?.self, forKey: .reached_out_by)
        }
    }
    struct RegionsAnswer: Encodable {
        let regions: [String]
        let reached_out_by: [String]
    }
    struct TransferInput: Decodable { let to: String }
    struct TypologyAnswer: Encodable { let tags: [String] }
    struct PurposesAnswer: Encodable {
        struct Purpose: Encodable {
            let code: String
            let label: String
            let needs_note: Bool
        }
        let purposes: [Purpose]
    }
    struct ReplyInput: Decodable {
        let text: String
        /// Sends an SMS to a phone flagged monitored or not safe to text anyway, for this reason (audited).
        let override_reason: String?
    }
    struct ReplyAnswer: Encodable {
        let id: String
        let status: String
    }
}
