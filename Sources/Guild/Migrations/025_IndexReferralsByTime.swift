import Fluent
import SQLKit

/// The organizers' export reads every referral oldest first, 2,000 at a time after the last one
/// sent (keyset). Without an index on that order each page sorted the whole ledger: a million
/// referrals streamed at about 100 KB/s. With it each page is a range read.
struct IndexReferralsByTime: AsyncMigration {
    var name: String { "025_IndexReferralsByTime" }

    func prepare(on database: any Database) async throws {
        try await database.sql.raw("CREATE INDEX referrals_created ON referrals (created_at, id)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.raw("DROP INDEX referrals_created").run()
    }
}
