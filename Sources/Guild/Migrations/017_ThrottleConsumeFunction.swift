import Fluent
import SQLKit

/// PostgreSQL: counting an attempt against its throttles in one call. Lock, count and insert must
/// be one step (or concurrent guesses all pass a check none has recorded yet), and as separate
/// statements a burst of 100 guesses at one account queued for seconds behind each other's round
/// trips. In a function the bucket's lock is held for microseconds. SQLite's write lock does the
/// same without a function.
struct ThrottleConsumeFunction: AsyncMigration {
    var name: String { "017_ThrottleConsumeFunction" }

    func prepare(on database: any Database) async throws {
        guard !database.isSQLite else { return }
        try await database.sql.raw("""
            CREATE FUNCTION throttle_consume(buckets TEXT[], limits BIGINT[], windows DOUBLE PRECISION[], ids UUID[], at TIMESTAMPTZ)
            RETURNS INTEGER LANGUAGE plpgsql AS $$
            DECLARE
                i INTEGER;
                seen INTEGER;
                oldest TIMESTAMPTZ;
                wait INTEGER := 0;
            BEGIN
                FOR i IN 1 .. array_length(buckets, 1) LOOP
                    PERFORM pg_advisory_xact_lock(hashtextextended('throttle:' || buckets[i], 0));
                END LOOP;
                FOR i IN 1 .. array_length(buckets, 1) LOOP
                    SELECT COUNT(*), MIN(occurred_at) INTO seen, oldest FROM throttle_events
                    WHERE bucket = buckets[i] AND occurred_at > at - make_interval(secs => windows[i]);
                    IF seen >= limits[i] THEN
                        wait := GREATEST(wait, 1, CEIL(EXTRACT(EPOCH FROM (oldest + make_interval(secs => windows[i]) - at)))::INTEGER);
                    END IF;
                END LOOP;
                IF wait > 0 THEN
                    RETURN wait;
                END IF;
                INSERT INTO throttle_events (id, bucket, occurred_at)
                SELECT ids[n], buckets[n], at FROM generate_subscripts(buckets, 1) AS n;
                RETURN 0;
            END $$
            """).run()
    }

    func revert(on database: any Database) async throws {
        guard !database.isSQLite else { return }
        try await database.sql.raw("DROP FUNCTION throttle_consume(TEXT[], BIGINT[], DOUBLE PRECISION[], UUID[], TIMESTAMPTZ)").run()
    }
}
