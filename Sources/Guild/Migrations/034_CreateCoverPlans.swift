import Fluent
import SQLKit

/// Cover plans: backups by consent, the encrypted runbook, activations (by the member, an organizer
/// or a trusted contact's link), the log of everything done under cover, and thanks.
/// - `cover_backups`: one open request or acceptance per pair (a partial unique index); `niche_id`
///   NULL means "in general". Ended and declined rows stay as history.
/// - `runbooks.sealed` is AES-GCM ciphertext (base64 of nonce, ciphertext and tag) of the runbook's
///   JSON, bound to the member's id; `key_id` names the key (the first bytes of its SHA-256), so a
///   rotation knows what is left to re-encrypt and start-up knows whether it holds every key in use.
/// - `cover_activations`: at most one active (not ended) per member, by a partial unique index.
/// - `cover_trusted_contacts.token_hash`: SHA-256 of the activation link's token; the token itself
///   is only ever in the one email and on the member's screen once.
/// - `cover_log`: runbook reads, link openings and uses, activations and returns, for the member to see.
/// - `referrals.covering_for_id`: the away member a backup received a referral for.
/// - The cache rule's triggers on three of these tables are 035's, so that a test that takes the
///   generation's table away and back (an upgrade of 012–016) can take them off and on alone.
struct CreateCoverPlans: AsyncMigration {
    var name: String { "034_CreateCoverPlans" }

    func prepare(on database: any Database) async throws {
        let sql = database.sql
        let timestamp = database.isSQLite ? "DOUBLE PRECISION" : "TIMESTAMPTZ"
        try await sql.raw("""
            CREATE TABLE cover_backups (
                id UUID PRIMARY KEY,
                member_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                backup_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                niche_id UUID REFERENCES niches (id) ON DELETE CASCADE,
                position INTEGER NOT NULL, status TEXT NOT NULL, message TEXT NOT NULL,
                created_at \(unsafeRaw: timestamp) NOT NULL, responded_at \(unsafeRaw: timestamp), ended_at \(unsafeRaw: timestamp))
            """).run()
        try await sql.raw("""
            CREATE UNIQUE INDEX cover_backups_open ON cover_backups (member_id, backup_id) WHERE status IN ('asked', 'accepted')
            """).run()
        try await sql.raw("CREATE INDEX cover_backups_member ON cover_backups (member_id, position)").run()
        try await sql.raw("CREATE INDEX cover_backups_backup ON cover_backups (backup_id, status)").run()
        try await sql.raw("""
            CREATE TABLE runbooks (
                member_id UUID PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
                key_id TEXT NOT NULL, sealed TEXT NOT NULL, version INTEGER NOT NULL,
                updated_at \(unsafeRaw: timestamp) NOT NULL)
            """).run()
        try await sql.raw("""
            CREATE TABLE cover_trusted_contacts (
                id UUID PRIMARY KEY,
                member_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                name TEXT NOT NULL, email TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE,
                created_at \(unsafeRaw: timestamp) NOT NULL, expires_at \(unsafeRaw: timestamp) NOT NULL,
                used_at \(unsafeRaw: timestamp), revoked_at \(unsafeRaw: timestamp))
            """).run()
        try await sql.raw("CREATE INDEX cover_trusted_contacts_member ON cover_trusted_contacts (member_id, created_at)").run()
        try await sql.raw("""
            CREATE TABLE cover_activations (
                id UUID PRIMARY KEY,
                member_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                started_by TEXT NOT NULL,
                actor_id UUID REFERENCES users (id) ON DELETE SET NULL,
                trusted_contact_id UUID REFERENCES cover_trusted_contacts (id) ON DELETE SET NULL,
                note TEXT NOT NULL, expected_back \(unsafeRaw: timestamp),
                started_at \(unsafeRaw: timestamp) NOT NULL, ended_at \(unsafeRaw: timestamp),
                ended_by UUID REFERENCES users (id) ON DELETE SET NULL,
                clients_told INTEGER NOT NULL, nobody_available BOOLEAN NOT NULL)
            """).run()
        try await sql.raw("CREATE UNIQUE INDEX cover_activations_active ON cover_activations (member_id) WHERE ended_at IS NULL").run()
        try await sql.raw("CREATE INDEX cover_activations_member ON cover_activations (member_id, started_at)").run()
        try await sql.raw("""
            CREATE TABLE cover_log (
                id UUID PRIMARY KEY,
                member_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                activation_id UUID REFERENCES cover_activations (id) ON DELETE CASCADE,
                actor_id UUID REFERENCES users (id) ON DELETE SET NULL,
                actor_label TEXT NOT NULL, kind TEXT NOT NULL, detail TEXT NOT NULL,
                at \(unsafeRaw: timestamp) NOT NULL)
            """).run()
        try await sql.raw("CREATE INDEX cover_log_member ON cover_log (member_id, at)").run()
        try await sql.raw("""
            CREATE TABLE cover_handoffs (
                id UUID PRIMARY KEY,
                activation_id UUID NOT NULL REFERENCES cover_activations (id) ON DELETE CASCADE,
                backup_id UUID REFERENCES users (id) ON DELETE SET NULL,
                item TEXT NOT NULL, item_label TEXT NOT NULL, note TEXT NOT NULL,
                at \(unsafeRaw: timestamp) NOT NULL)
            """).run()
        try await sql.raw("CREATE INDEX cover_handoffs_activation ON cover_handoffs (activation_id, at)").run()
        try await sql.raw("""
            CREATE TABLE cover_thanks (
                activation_id UUID NOT NULL REFERENCES cover_activations (id) ON DELETE CASCADE,
                backup_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                member_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                message TEXT NOT NULL, at \(unsafeRaw: timestamp) NOT NULL,
                PRIMARY KEY (activation_id, backup_id))
            """).run()
        try await sql.raw("CREATE INDEX cover_thanks_backup ON cover_thanks (backup_id, member_id)").run()
        try await sql.raw("ALTER TABLE referrals ADD COLUMN covering_for_id UUID REFERENCES users (id) ON DELETE SET NULL").run()

    }

    func revert(on database: any Database) async throws {
        for table in ["cover_thanks", "cover_handoffs", "cover_log", "cover_activations", "cover_trusted_contacts", "runbooks", "cover_backups"] {
            try await database.sql.raw("DROP TABLE IF EXISTS \(unsafeRaw: table)").run()
        }
        try await database.sql.raw("ALTER TABLE referrals DROP COLUMN covering_for_id").run()
    }
}
