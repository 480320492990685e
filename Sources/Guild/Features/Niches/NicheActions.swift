import Fluent
import SQLKit
import Vapor

/// Organizer actions on niches, shared by the web pages and the API.
enum Niches {
    static func merge(slug: String, into: String, on db: any Database) async throws -> NicheResolver.Resolved {
        guard !into.isEmpty, into.unicodeScalars.count <= 80 else {
            throw NichesError.mergeTargetMissing
        }
        guard let source = try await Niche.query(on: db).filter(\.$slug == slug).first() else { throw CommonError.notFound }
        var target: NicheResolver.Resolved?
        if let niche = try await Niche.query(on: db).filter(\.$slug == into).first() {
            target = NicheResolver.Resolved(id: try niche.requireID(), slug: niche.slug, name: niche.name)
        } else {
            target = try await NicheResolver.find(into, on: db)
        }
        guard let target else {
            throw NichesError.noSuchNiche(into)
        }
        guard try target.id != source.requireID() else {
            throw NichesError.mergeIntoItself
        }
        let sourceID = try source.requireID()
        try await db.writeTransaction { db in
            try await NicheResolver.merge(sourceID, into: target.id, on: db)
        }
        return target
    }

    static func addSynonym(_ raw: String, toSlug slug: String, on db: any Database) async throws {
        let synonym = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !synonym.isEmpty, synonym.count <= 80 else {
            throw NichesError.synonymLength
        }
        guard let niche = try await Niche.query(on: db).filter(\.$slug == slug).first() else { throw CommonError.notFound }
        let nicheID = try niche.requireID()
        try await db.writeTransaction { db in
            guard try await NicheResolver.addAlias(synonym, to: nicheID, on: db) else {
                throw NichesError.synonymTaken(synonym)
            }
            struct Row: Decodable { var profile_id: UUID }
            let members = try await db.sql.raw("SELECT profile_id FROM profile_niches WHERE niche_id = \(bind: nicheID)")
                .all(decoding: Row.self).map(\.profile_id)
            try await MemberIndexes.refresh(members, on: db)
        }
    }
}
