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
        return migrator
    }
}
