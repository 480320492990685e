import Fluent
import Formats
import SQLKit
import Validation
import Vapor

/// The ledger as CSV (RFC 4180, formula-safe). A member's own export carries the client details
/// they already see; the organizers' export of every referral carries flows and values only, never
/// a client's name, contact details or need.
enum ReferralExport {
    static let memberHeader = ["id", "created_at", "direction", "partner", "client_name", "client_email", "client_phone", "need",
                               "urgency", "status", "reason", "amount", "currency"]
    static let allHeader = ["id", "created_at", "updated_at", "giver", "giver_profile", "receiver", "receiver_profile", "status", "amount",
                            "currency", "passed_from"]

    static func member(_ userID: UUID, on db: any Database) async throws -> String {
        var csv = CSVWriter.record(memberHeader)
        var offset = 0
        while true {
            let rows = try await Referrals.ledger(of: userID, role: nil, status: nil, limit: 1000, offset: offset, on: db)
            for r in rows {
                let given = r.giver_id == userID
                csv += CSVWriter.record([
                    r.id.uuidString, timestamp(r.created_at), given ? "given" : "received", given ? r.receiver_name : r.giver_name,
                    r.client_name, r.client_email, r.client_phone, r.need, r.urgency, r.status, r.reason ?? "",
                    r.value?.amountText ?? "", r.currency ?? "",
                ])
            }
            guard rows.count == 1000 else { return csv }
            offset += 1000
        }
    }

    /// Every referral, oldest first, in pages of 2,000 (keyset, so the millionth row costs what the
    /// first did), handed to `write` as CSV text: memory stays flat however long the ledger is.
    static func all(on db: any Database, write: (String) async throws -> Void) async throws {
        try await write(CSVWriter.record(allHeader))
        struct Row: Decodable {
            var id: UUID; var created_at: Date; var updated_at: Date; var giver: String; var giver_slug: String?
            var receiver: String; var receiver_slug: String?; var status: String; var value_minor: Int64?; var currency: String?
            var passed_from_id: UUID?
        }
        var after: (Date, UUID)?
        while true {
            // A row-value comparison: both databases read it as a range of the (created_at, id) index.
            let condition: SQLQueryString = after.map { "WHERE (r.created_at, r.id) > (\(bind: $0.0), \(bind: $0.1))" } ?? ""
            let rows = try await db.sql.raw("""
                SELECT r.id, r.created_at, r.updated_at, \(AccountsSQL.name(of: "r.giver_id")) AS giver,
                    \(ProfilesSQL.slug(of: "r.giver_id")) AS giver_slug, \(AccountsSQL.name(of: "r.receiver_id")) AS receiver,
                    \(ProfilesSQL.slug(of: "r.receiver_id")) AS receiver_slug, r.status, r.value_minor, r.currency, r.passed_from_id
                FROM referrals r
                \(condition) ORDER BY r.created_at, r.id LIMIT 2000
                """).all(decoding: Row.self)
            var chunk = ""
            for r in rows {
                let value = r.value_minor.flatMap { minor in r.currency.map { Money(minorUnits: minor, currency: $0) } }
                chunk += CSVWriter.record([
                    r.id.uuidString, timestamp(r.created_at), timestamp(r.updated_at), r.giver, r.giver_slug ?? "", r.receiver, r.receiver_slug ?? "",
                    r.status, value?.amountText ?? "", r.currency ?? "", r.passed_from_id?.uuidString ?? "",
                ])
            }
            if !chunk.isEmpty { try await write(chunk) }
            guard rows.count == 2000, let last = rows.last else { return }
            after = (last.created_at, last.id)
        }
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    /// A streamed `text/csv` download of every referral.
    static func allResponse(on req: Request) -> Response {
        let db = req.db
        let response = Response(status: .ok, body: .init(asyncStream: { writer in
            do {
                try await all(on: db) { text in try await writer.write(.buffer(ByteBuffer(string: text))) }
                try await writer.write(.end)
            } catch {
                try? await writer.write(.error(error))
            }
        }))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"guild-referrals.csv\"")
        return response
    }

    static func memberResponse(_ csv: String, name: String = "my-referrals.csv") -> Response {
        let response = Response(status: .ok, body: .init(string: csv))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(name)\"")
        return response
    }
}
