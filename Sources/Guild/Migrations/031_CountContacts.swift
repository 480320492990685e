import Fluent
import SQLKit

/// How many contacts each member has, and how many carry each tag: kept by the database on every
/// write to `contacts` and `contact_tags`, so the contact list reads two small rows instead of
/// counting 10,000 contacts and grouping 20,000 tags on every page (issue 17's benchmark), and no
/// write path (import, merge, edit, account deletion's cascade) can forget to update them.
///
/// SQLite counts per row, a few microseconds each. PostgreSQL counts per statement from transition
/// tables, so a 10,000-card import's multi-row inserts upsert each member's row once per statement.
/// A count that falls to zero is deleted.
struct CountContacts: AsyncMigration {
    var name: String { "031_CountContacts" }

    func prepare(on database: any Database) async throws {
        let sql = database.sql
        try await sql.raw("CREATE TABLE contact_counts (owner_id UUID PRIMARY KEY, n INTEGER NOT NULL)").run()
        try await sql.raw("""
            CREATE TABLE contact_tag_counts (owner_id UUID NOT NULL, tag TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (owner_id, tag))
            """).run()
        try await sql.raw("INSERT INTO contact_counts (owner_id, n) SELECT owner_id, COUNT(*) FROM contacts GROUP BY owner_id").run()
        try await sql.raw("""
            INSERT INTO contact_tag_counts (owner_id, tag, n) SELECT owner_id, tag, COUNT(*) FROM contact_tags GROUP BY owner_id, tag
            """).run()
        if database.isSQLite {
            for statement in Self.sqliteTriggers { try await sql.raw(SQLQueryString(stringLiteral: statement)).run() }
        } else {
            for statement in Self.postgresTriggers { try await sql.raw(SQLQueryString(stringLiteral: statement)).run() }
        }
    }

    func revert(on database: any Database) async throws {
        let sql = database.sql
        if database.isSQLite {
            for name in ["contact_counts_insert", "contact_counts_delete", "contact_tag_counts_insert", "contact_tag_counts_delete", "contact_tag_counts_update"] {
                try await sql.raw("DROP TRIGGER \(unsafeRaw: name)").run()
            }
        } else {
            for (name, table) in [("contact_counts_insert", "contacts"), ("contact_counts_delete", "contacts"), ("contact_tag_counts_insert", "contact_tags"),
                                  ("contact_tag_counts_delete", "contact_tags"), ("contact_tag_counts_update", "contact_tags")] {
                try await sql.raw("DROP TRIGGER \(unsafeRaw: name) ON \(unsafeRaw: table)").run()
            }
            for function in ["count_contacts_insert", "count_contacts_delete", "count_contact_tags_insert", "count_contact_tags_delete", "count_contact_tags_update"] {
                try await sql.raw("DROP FUNCTION \(unsafeRaw: function)()").run()
            }
        }
        try await sql.raw("DROP TABLE contact_tag_counts").run()
        try await sql.raw("DROP TABLE contact_counts").run()
    }

    static let sqliteTriggers = [
        """
        CREATE TRIGGER contact_counts_insert AFTER INSERT ON contacts BEGIN
            INSERT INTO contact_counts (owner_id, n) VALUES (NEW.owner_id, 1) ON CONFLICT (owner_id) DO UPDATE SET n = n + 1;
        END
        """,
        """
        CREATE TRIGGER contact_counts_delete AFTER DELETE ON contacts BEGIN
            UPDATE contact_counts SET n = n - 1 WHERE owner_id = OLD.owner_id;
            DELETE FROM contact_counts WHERE owner_id = OLD.owner_id AND n <= 0;
        END
        """,
        """
        CREATE TRIGGER contact_tag_counts_insert AFTER INSERT ON contact_tags BEGIN
            INSERT INTO contact_tag_counts (owner_id, tag, n) VALUES (NEW.owner_id, NEW.tag, 1) ON CONFLICT (owner_id, tag) DO UPDATE SET n = n + 1;
        END
        """,
        """
        CREATE TRIGGER contact_tag_counts_delete AFTER DELETE ON contact_tags BEGIN
            UPDATE contact_tag_counts SET n = n - 1 WHERE owner_id = OLD.owner_id AND tag = OLD.tag;
            DELETE FROM contact_tag_counts WHERE owner_id = OLD.owner_id AND tag = OLD.tag AND n <= 0;
        END
        """,
        """
        CREATE TRIGGER contact_tag_counts_update AFTER UPDATE OF owner_id, tag ON contact_tags BEGIN
            UPDATE contact_tag_counts SET n = n - 1 WHERE owner_id = OLD.owner_id AND tag = OLD.tag;
            DELETE FROM contact_tag_counts WHERE owner_id = OLD.owner_id AND tag = OLD.tag AND n <= 0;
            INSERT INTO contact_tag_counts (owner_id, tag, n) VALUES (NEW.owner_id, NEW.tag, 1) ON CONFLICT (owner_id, tag) DO UPDATE SET n = n + 1;
        END
        """,
    ]

    static let postgresTriggers = [
        """
        CREATE FUNCTION count_contacts_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
            INSERT INTO contact_counts (owner_id, n) SELECT owner_id, COUNT(*) FROM inserted GROUP BY owner_id
            ON CONFLICT (owner_id) DO UPDATE SET n = contact_counts.n + EXCLUDED.n;
            RETURN NULL;
        END $$
        """,
        """
        CREATE FUNCTION count_contacts_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
            UPDATE contact_counts c SET n = c.n - d.n FROM (SELECT owner_id, COUNT(*) AS n FROM deleted GROUP BY owner_id) d
            WHERE c.owner_id = d.owner_id;
            DELETE FROM contact_counts WHERE n <= 0 AND owner_id IN (SELECT owner_id FROM deleted);
            RETURN NULL;
        END $$
        """,
        """
        CREATE FUNCTION count_contact_tags_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
            INSERT INTO contact_tag_counts (owner_id, tag, n) SELECT owner_id, tag, COUNT(*) FROM inserted GROUP BY owner_id, tag
            ON CONFLICT (owner_id, tag) DO UPDATE SET n = contact_tag_counts.n + EXCLUDED.n;
            RETURN NULL;
        END $$
        """,
        """
        CREATE FUNCTION count_contact_tags_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
            UPDATE contact_tag_counts c SET n = c.n - d.n FROM (SELECT owner_id, tag, COUNT(*) AS n FROM deleted GROUP BY owner_id, tag) d
            WHERE c.owner_id = d.owner_id AND c.tag = d.tag;
            DELETE FROM contact_tag_counts WHERE n <= 0 AND owner_id IN (SELECT owner_id FROM deleted);
            RETURN NULL;
        END $$
        """,
        """
        CREATE FUNCTION count_contact_tags_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
            UPDATE contact_tag_counts c SET n = c.n - d.n FROM (SELECT owner_id, tag, COUNT(*) AS n FROM deleted GROUP BY owner_id, tag) d
            WHERE c.owner_id = d.owner_id AND c.tag = d.tag;
            DELETE FROM contact_tag_counts WHERE n <= 0 AND owner_id IN (SELECT owner_id FROM deleted);
            INSERT INTO contact_tag_counts (owner_id, tag, n) SELECT owner_id, tag, COUNT(*) FROM inserted GROUP BY owner_id, tag
            ON CONFLICT (owner_id, tag) DO UPDATE SET n = contact_tag_counts.n + EXCLUDED.n;
            RETURN NULL;
        END $$
        """,
        """
        CREATE TRIGGER contact_counts_insert AFTER INSERT ON contacts REFERENCING NEW TABLE AS inserted
        FOR EACH STATEMENT EXECUTE FUNCTION count_contacts_insert()
        """,
        """
        CREATE TRIGGER contact_counts_delete AFTER DELETE ON contacts REFERENCING OLD TABLE AS deleted
        FOR EACH STATEMENT EXECUTE FUNCTION count_contacts_delete()
        """,
        """
        CREATE TRIGGER contact_tag_counts_insert AFTER INSERT ON contact_tags REFERENCING NEW TABLE AS inserted
        FOR EACH STATEMENT EXECUTE FUNCTION count_contact_tags_insert()
        """,
        """
        CREATE TRIGGER contact_tag_counts_delete AFTER DELETE ON contact_tags REFERENCING OLD TABLE AS deleted
        FOR EACH STATEMENT EXECUTE FUNCTION count_contact_tags_delete()
        """,
        """
        CREATE TRIGGER contact_tag_counts_update AFTER UPDATE ON contact_tags REFERENCING OLD TABLE AS deleted NEW TABLE AS inserted
        FOR EACH STATEMENT EXECUTE FUNCTION count_contact_tags_update()
        """,
    ]
}
