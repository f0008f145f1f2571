import Foundation
import GRDB

/// The schema, as an ordered list of migrations. Columns hold ids, states, times, ciphertext and
/// keyed hashes; nothing readable about a person.
enum SQLiteMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-contacts-threads-messages") { db in
            try db.execute(sql: """
                CREATE TABLE contact (
                    id TEXT PRIMARY KEY NOT NULL,
                    channel TEXT NOT NULL CHECK (channel IN ('sms', 'webchat')),
                    address_index BLOB NOT NULL UNIQUE CHECK (length(address_index) = 32),
                    sealed_address BLOB NOT NULL,
                    wrapped_key BLOB,
                    kek_version INTEGER,
                    key_version INTEGER,
                    pseudonym TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                ) STRICT;
                CREATE TABLE thread (
                    id TEXT PRIMARY KEY NOT NULL,
                    contact_id TEXT REFERENCES contact(id) ON DELETE SET NULL,
                    channel TEXT NOT NULL CHECK (channel IN ('sms', 'webchat')),
                    state TEXT NOT NULL CHECK (state IN ('open', 'closed', 'erased')),
                    wrapped_key BLOB,
                    kek_version INTEGER,
                    key_version INTEGER,
                    opened_at INTEGER NOT NULL,
                    last_activity_at INTEGER NOT NULL,
                    closed_at INTEGER,
                    erased_at INTEGER,
                    CHECK ((state = 'erased') = (wrapped_key IS NULL))
                ) STRICT;
                CREATE INDEX thread_by_contact ON thread(contact_id, channel, state);
                CREATE INDEX thread_by_state ON thread(state, last_activity_at);
                CREATE TABLE message (
                    id TEXT PRIMARY KEY NOT NULL,
                    thread_id TEXT NOT NULL REFERENCES thread(id) ON DELETE CASCADE,
                    direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
                    sealed_body BLOB NOT NULL,
                    delivery_index BLOB UNIQUE CHECK (delivery_index IS NULL OR length(delivery_index) = 32),
                    created_at INTEGER NOT NULL
                ) STRICT;
                CREATE INDEX message_by_thread ON message(thread_id, created_at);
                """)
        }
        migrator.registerMigration("v2-channels-outbox-webchat") { db in
            try db.execute(sql: """
                ALTER TABLE thread ADD COLUMN last_inbound_at INTEGER;
                ALTER TABLE thread ADD COLUMN do_not_contact INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE contact ADD COLUMN opted_out INTEGER NOT NULL DEFAULT 0;
                CREATE TABLE handled_delivery (
                    delivery_index BLOB PRIMARY KEY NOT NULL CHECK (length(delivery_index) = 32),
                    created_at INTEGER NOT NULL
                ) STRICT;
                CREATE TABLE outbox (
                    id TEXT PRIMARY KEY NOT NULL,
                    message_id TEXT NOT NULL UNIQUE REFERENCES message(id) ON DELETE CASCADE,
                    thread_id TEXT NOT NULL REFERENCES thread(id) ON DELETE CASCADE,
                    state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'delivered', 'failed', 'unknown')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at INTEGER NOT NULL,
                    provider_index BLOB UNIQUE CHECK (provider_index IS NULL OR length(provider_index) = 32),
                    error_code TEXT,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                ) STRICT;
                CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
                CREATE INDEX outbox_by_thread ON outbox(thread_id);
                CREATE TABLE webchat_session (
                    token_index BLOB PRIMARY KEY NOT NULL CHECK (length(token_index) = 32),
                    contact_id TEXT NOT NULL REFERENCES contact(id) ON DELETE CASCADE,
                    created_at INTEGER NOT NULL,
                    last_seen_at INTEGER NOT NULL
                ) STRICT;
                CREATE INDEX webchat_session_by_contact ON webchat_session(contact_id);
                CREATE TABLE resume_phrase (
                    contact_id TEXT PRIMARY KEY NOT NULL REFERENCES contact(id) ON DELETE CASCADE,
                    lookup_index BLOB NOT NULL CHECK (length(lookup_index) = 32),
                    phrase_hash TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                ) STRICT;
                CREATE INDEX resume_phrase_by_lookup ON resume_phrase(lookup_index);
                """)
        }
        migrator.registerMigration("v3-audit-holds-retention") { db in
            try db.execute(sql: """
                CREATE TABLE audit_event (
                    seq INTEGER PRIMARY KEY NOT NULL CHECK (seq >= 0),
                    line TEXT,
                    leaf_hash BLOB NOT NULL CHECK (length(leaf_hash) = 32),
                    created_at INTEGER NOT NULL
                ) STRICT;
                CREATE INDEX audit_event_by_time ON audit_event(created_at);
                CREATE TABLE audit_checkpoint (
                    tree_size INTEGER PRIMARY KEY NOT NULL,
                    note TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                ) STRICT;
                CREATE TABLE legal_hold (
                    thread_id TEXT PRIMARY KEY NOT NULL,
                    reason TEXT NOT NULL,
                    created_by TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                ) STRICT;
                ALTER TABLE thread ADD COLUMN erase_requested_at INTEGER;
                """)
        }
        migrator.registerMigration("v4-accounts-sessions-assignment") { db in
            try db.execute(sql: """
                CREATE TABLE account (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL UNIQUE,
                    role TEXT NOT NULL CHECK (role IN ('advocate', 'supervisor', 'compliance', 'admin')),
                    password_hash TEXT,
                    sealed_totp BLOB,
                    wrapped_key BLOB,
                    kek_version INTEGER,
                    key_version INTEGER,
                    enrolment_hash TEXT,
                    enrolment_expires_at INTEGER,
                    disabled INTEGER NOT NULL DEFAULT 0,
                    failed_logins INTEGER NOT NULL DEFAULT 0,
                    locked_until INTEGER,
                    last_totp_step INTEGER,
                    created_at INTEGER NOT NULL
                ) STRICT;
                CREATE TABLE api_session (
                    token_index BLOB PRIMARY KEY NOT NULL CHECK (length(token_index) = 32),
                    account_id TEXT NOT NULL REFERENCES account(id) ON DELETE CASCADE,
                    created_at INTEGER NOT NULL,
                    last_seen_at INTEGER NOT NULL
                ) STRICT;
                CREATE INDEX api_session_by_account ON api_session(account_id);
                ALTER TABLE thread ADD COLUMN assigned_to TEXT;
                ALTER TABLE thread ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE thread ADD COLUMN first_response_at INTEGER;
                """)
        }
        migrator.registerMigration("v5-case-records") { db in
            try db.execute(sql: """
                CREATE TABLE case_record (
                    contact_id TEXT PRIMARY KEY NOT NULL REFERENCES contact(id) ON DELETE CASCADE,
                    sealed BLOB NOT NULL,
                    updated_at INTEGER NOT NULL
                ) STRICT;
                """)
        }
        migrator.registerMigration("v6-contact-safety-pending-audit") { db in
            // Safety flags move from threads to the contact, so that they hold for its next thread too.
            try db.execute(sql: """
                ALTER TABLE contact ADD COLUMN do_not_contact INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE contact ADD COLUMN phone_monitored INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE contact ADD COLUMN not_safe_to_text INTEGER NOT NULL DEFAULT 0;
                UPDATE contact SET do_not_contact = 1
                    WHERE EXISTS (SELECT 1 FROM thread t WHERE t.contact_id = contact.id AND t.do_not_contact = 1);
                ALTER TABLE outbox ADD COLUMN caution_override INTEGER NOT NULL DEFAULT 0;
                CREATE TABLE suppressed_address (
                    address_index BLOB PRIMARY KEY NOT NULL CHECK (length(address_index) = 32),
                    created_at INTEGER NOT NULL
                ) STRICT;
                CREATE TABLE pending_audit (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    event TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                ) STRICT;
                CREATE INDEX thread_queue ON thread(state, priority DESC, coalesce(last_inbound_at, opened_at), id);
                CREATE INDEX thread_wait_by_channel ON thread(state, channel, coalesce(last_inbound_at, opened_at));
                CREATE INDEX handled_delivery_by_time ON handled_delivery(created_at);
                CREATE TABLE maintenance (
                    name TEXT PRIMARY KEY NOT NULL,
                    done_at INTEGER NOT NULL
                ) STRICT;
                """)
        }
        migrator.registerMigration("v7-staff-devices") { db in
            // A machine a staff member logged in from: a random token the browser keeps, stored
            // only as a keyed hash. It is not a network identifier, and it lets the account's
            // backstop lock hold strangers back without holding back the advocate's own machine.
            try db.execute(sql: """
                CREATE TABLE staff_device (
                    token_index BLOB PRIMARY KEY NOT NULL CHECK (length(token_index) = 32),
                    account_id TEXT NOT NULL REFERENCES account(id) ON DELETE CASCADE,
                    created_at INTEGER NOT NULL,
                    last_used_at INTEGER NOT NULL
                ) STRICT;
                CREATE INDEX staff_device_by_account ON staff_device(account_id, last_used_at);
                """)
        }
        migrator.registerMigration("v8-intake-triage") { db in
            // New channels (the tip form, email): SQLite cannot change a CHECK, so the contact and
            // thread tables are rebuilt from their own definitions with the wider list, rows
            // (and rowids) copied in order, indexes recreated. Foreign keys are checked after.
            for table in ["contact", "thread"] {
                guard let definition = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", arguments: [table])
                else { continue }
                let widened = definition
                    .replacingOccurrences(of: "CREATE TABLE \(table) (", with: "CREATE TABLE \(table)_v8 (")
                    .replacingOccurrences(of: "channel IN ('sms', 'webchat')", with: "channel IN \(Self.channelList)")
                guard widened != definition else { throw StoreError.corruptRow(table: table) }
                let indexes = try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", arguments: [table])
                let columns = try Row.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?) ORDER BY cid", arguments: [table])
                    .map { "\"\($0["name"] as String)\"" }.joined(separator: ", ")
                try db.execute(sql: widened)
                try db.execute(sql: "INSERT INTO \(table)_v8 (rowid, \(columns)) SELECT rowid, \(columns) FROM \(table) ORDER BY rowid")
                try db.execute(sql: "DROP TABLE \(table)")
                try db.execute(sql: "ALTER TABLE \(table)_v8 RENAME TO \(table)")
                for index in indexes { try db.execute(sql: index) }
            }
            // Triage: the conversation's language, the automatic answers it has had (each once),
            // when a redirect took it out of the waiting queue; a supervisor's block on a contact.
            try db.execute(sql: """
                ALTER TABLE thread ADD COLUMN language TEXT CHECK (language IS NULL OR language IN ('en', 'es'));
                ALTER TABLE thread ADD COLUMN automatic_answers TEXT NOT NULL DEFAULT '';
                ALTER TABLE thread ADD COLUMN redirected_at INTEGER;
                ALTER TABLE contact ADD COLUMN blocked_until INTEGER;
                """)
        }
        migrator.registerMigration("v9-trend-counts") { db in
            // Aggregate counters for trend reports: coarse fields and a count, no id of anything;
            // and each quarter as it was frozen the first time it was reported.
            try db.execute(sql: """
                CREATE TABLE trend_count (
                    month TEXT NOT NULL,
                    region TEXT NOT NULL,
                    type TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    who TEXT NOT NULL,
                    count INTEGER NOT NULL CHECK (count >= 0),
                    PRIMARY KEY (month, region, type, channel, who)
                ) STRICT, WITHOUT ROWID;
                CREATE TABLE trend_snapshot (
                    period TEXT PRIMARY KEY,
                    body TEXT NOT NULL,
                    made_at INTEGER NOT NULL
                ) STRICT;
                """)
        }
        return migrator
    }

    /// The channels a contact or thread may be on since migration 8, as SQL (fixed: a migration never changes).
    static let channelList = "('sms', 'webchat', 'webform', 'email')"
}
