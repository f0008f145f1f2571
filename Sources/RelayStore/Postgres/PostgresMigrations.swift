import PostgresNIO

/// PostgreSQL's schema: the same tables, columns and rules as SQLite's (``SQLiteMigrations``, at
/// its newest), each migration a list of statements applied once, in order, recorded in
/// `schema_migration`. Columns hold ids, states, times, ciphertext and keyed hashes; nothing
/// readable about a person. `row_number` columns keep insertion order (SQLite's rowid).
enum PostgresMigrations {
    /// Each migration: its version and statements.
    static let all: [(version: Int64, statements: [String])] = [
        (1, [
            """
            CREATE TABLE contact (
                id TEXT PRIMARY KEY,
                channel TEXT NOT NULL CHECK (channel IN ('sms', 'webchat')),
                address_index BYTEA NOT NULL UNIQUE CHECK (length(address_index) = 32),
                sealed_address BYTEA NOT NULL,
                wrapped_key BYTEA,
                kek_version BIGINT,
                key_version BIGINT,
                pseudonym TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                opted_out BOOLEAN NOT NULL DEFAULT false,
                do_not_contact BOOLEAN NOT NULL DEFAULT false,
                phone_monitored BOOLEAN NOT NULL DEFAULT false,
                not_safe_to_text BOOLEAN NOT NULL DEFAULT false)
            """,
            """
            CREATE TABLE thread (
                row_number BIGSERIAL NOT NULL UNIQUE,
                id TEXT PRIMARY KEY,
                contact_id TEXT REFERENCES contact(id) ON DELETE SET NULL,
                channel TEXT NOT NULL CHECK (channel IN ('sms', 'webchat')),
                state TEXT NOT NULL CHECK (state IN ('open', 'closed', 'erased')),
                wrapped_key BYTEA,
                kek_version BIGINT,
                key_version BIGINT,
                opened_at BIGINT NOT NULL,
                last_activity_at BIGINT NOT NULL,
                closed_at BIGINT,
                erased_at BIGINT,
                last_inbound_at BIGINT,
                erase_requested_at BIGINT,
                assigned_to TEXT,
                priority BIGINT NOT NULL DEFAULT 0,
                first_response_at BIGINT,
                CHECK ((state = 'erased') = (wrapped_key IS NULL)))
            """,
            "CREATE INDEX thread_by_contact ON thread(contact_id, channel, state)",
            "CREATE INDEX thread_by_state ON thread(state, last_activity_at)",
            "CREATE INDEX thread_queue ON thread(state, priority DESC, (coalesce(last_inbound_at, opened_at)), id)",
            "CREATE INDEX thread_wait_by_channel ON thread(state, channel, (coalesce(last_inbound_at, opened_at)))",
            """
            CREATE TABLE message (
                row_number BIGSERIAL NOT NULL,
                id TEXT PRIMARY KEY,
                thread_id TEXT NOT NULL REFERENCES thread(id) ON DELETE CASCADE,
                direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
                sealed_body BYTEA NOT NULL,
                delivery_index BYTEA UNIQUE CHECK (delivery_index IS NULL OR length(delivery_index) = 32),
                created_at BIGINT NOT NULL)
            """,
            "CREATE INDEX message_by_thread ON message(thread_id, created_at, row_number)",
            """
            CREATE TABLE handled_delivery (
                delivery_index BYTEA PRIMARY KEY CHECK (length(delivery_index) = 32),
                created_at BIGINT NOT NULL)
            """,
            "CREATE INDEX handled_delivery_by_time ON handled_delivery(created_at)",
            """
            CREATE TABLE outbox (
                row_number BIGSERIAL NOT NULL,
                id TEXT PRIMARY KEY,
                message_id TEXT NOT NULL UNIQUE REFERENCES message(id) ON DELETE CASCADE,
                thread_id TEXT NOT NULL REFERENCES thread(id) ON DELETE CASCADE,
                state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'delivered', 'failed', 'unknown')),
                attempts BIGINT NOT NULL DEFAULT 0,
                next_attempt_at BIGINT NOT NULL,
                provider_index BYTEA UNIQUE CHECK (provider_index IS NULL OR length(provider_index) = 32),
                error_code TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                caution_override BOOLEAN NOT NULL DEFAULT false)
            """,
            "CREATE INDEX outbox_due ON outbox(state, next_attempt_at, row_number)",
            "CREATE INDEX outbox_by_thread ON outbox(thread_id)",
            """
            CREATE TABLE webchat_session (
                token_index BYTEA PRIMARY KEY CHECK (length(token_index) = 32),
                contact_id TEXT NOT NULL REFERENCES contact(id) ON DELETE CASCADE,
                created_at BIGINT NOT NULL,
                last_seen_at BIGINT NOT NULL)
            """,
            "CREATE INDEX webchat_session_by_contact ON webchat_session(contact_id)",
            """
            CREATE TABLE resume_phrase (
                contact_id TEXT PRIMARY KEY REFERENCES contact(id) ON DELETE CASCADE,
                lookup_index BYTEA NOT NULL CHECK (length(lookup_index) = 32),
                phrase_hash TEXT NOT NULL,
                created_at BIGINT NOT NULL)
            """,
            "CREATE INDEX resume_phrase_by_lookup ON resume_phrase(lookup_index)",
            """
            CREATE TABLE audit_event (
                seq BIGINT PRIMARY KEY CHECK (seq >= 0),
                line TEXT,
                leaf_hash BYTEA NOT NULL CHECK (length(leaf_hash) = 32),
                created_at BIGINT NOT NULL)
            """,
            "CREATE INDEX audit_event_by_time ON audit_event(created_at)",
            "CREATE TABLE audit_checkpoint (tree_size BIGINT PRIMARY KEY, note TEXT NOT NULL, created_at BIGINT NOT NULL)",
            "CREATE TABLE legal_hold (thread_id TEXT PRIMARY KEY, reason TEXT NOT NULL, created_by TEXT NOT NULL, created_at BIGINT NOT NULL)",
            """
            CREATE TABLE account (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                role TEXT NOT NULL CHECK (role IN ('advocate', 'supervisor', 'compliance', 'admin')),
                password_hash TEXT,
                sealed_totp BYTEA,
                wrapped_key BYTEA,
                kek_version BIGINT,
                key_version BIGINT,
                enrolment_hash TEXT,
                enrolment_expires_at BIGINT,
                disabled BOOLEAN NOT NULL DEFAULT false,
                failed_logins BIGINT NOT NULL DEFAULT 0,
                locked_until BIGINT,
                last_totp_step BIGINT,
                created_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE api_session (
                token_index BYTEA PRIMARY KEY CHECK (length(token_index) = 32),
                account_id TEXT NOT NULL REFERENCES account(id) ON DELETE CASCADE,
                created_at BIGINT NOT NULL,
                last_seen_at BIGINT NOT NULL)
            """,
            "CREATE INDEX api_session_by_account ON api_session(account_id)",
            """
            CREATE TABLE case_record (
                contact_id TEXT PRIMARY KEY REFERENCES contact(id) ON DELETE CASCADE,
                sealed BYTEA NOT NULL,
                updated_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE suppressed_address (
                address_index BYTEA PRIMARY KEY CHECK (length(address_index) = 32),
                created_at BIGINT NOT NULL)
            """,
            "CREATE TABLE pending_audit (id BIGSERIAL PRIMARY KEY, event TEXT NOT NULL, created_at BIGINT NOT NULL)",
            "CREATE TABLE maintenance (name TEXT PRIMARY KEY, done_at BIGINT NOT NULL)",
            """
            CREATE TABLE staff_device (
                token_index BYTEA PRIMARY KEY CHECK (length(token_index) = 32),
                account_id TEXT NOT NULL REFERENCES account(id) ON DELETE CASCADE,
                created_at BIGINT NOT NULL,
                last_used_at BIGINT NOT NULL)
            """,
            "CREATE INDEX staff_device_by_account ON staff_device(account_id, last_used_at)",
        ]),
        (2, [
            // SQLite's migration 8: new channels; triage's language, automatic answers and redirect; blocks.
            "ALTER TABLE contact DROP CONSTRAINT contact_channel_check",
            "ALTER TABLE contact ADD CONSTRAINT contact_channel_check CHECK (channel IN ('sms', 'webchat', 'webform', 'email'))",
            "ALTER TABLE thread DROP CONSTRAINT thread_channel_check",
            "ALTER TABLE thread ADD CONSTRAINT thread_channel_check CHECK (channel IN ('sms', 'webchat', 'webform', 'email'))",
            "ALTER TABLE thread ADD COLUMN language TEXT CHECK (language IS NULL OR language IN ('en', 'es'))",
            "ALTER TABLE thread ADD COLUMN automatic_answers TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE thread ADD COLUMN redirected_at BIGINT",
            "ALTER TABLE contact ADD COLUMN blocked_until BIGINT",
        ]),
        (3, [
            // SQLite's migration 9: aggregate counters for trend reports (no id of anything), frozen quarters.
            """
            CREATE TABLE trend_count (
                month TEXT NOT NULL,
                region TEXT NOT NULL,
                type TEXT NOT NULL,
                channel TEXT NOT NULL,
                who TEXT NOT NULL,
                count BIGINT NOT NULL CHECK (count >= 0),
                PRIMARY KEY (month, region, type, channel, who))
            """,
            "CREATE TABLE trend_snapshot (period TEXT PRIMARY KEY, body TEXT NOT NULL, made_at BIGINT NOT NULL)",
        ]),
    ]

    /// Applies the pending migrations in one transaction, under an advisory lock so that two
    /// instances starting at once apply each migration once.
    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("BEGIN", logger: logger)
        do {
            try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresStore.migrationLock))", logger: logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS schema_migration (version BIGINT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                logger: logger)
            var applied: Set<Int64> = []
            for try await version in try await connection.query("SELECT version FROM schema_migration", logger: logger).decode(Int64.self) {
                applied.insert(version)
            }
            for migration in all where !applied.contains(migration.version) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO schema_migration (version) VALUES (\(migration.version))", logger: logger)
            }
            try await connection.query("COMMIT", logger: logger)
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }
}
