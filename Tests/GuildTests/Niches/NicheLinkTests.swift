import ConsoleKit
import SQLKit
import Testing
import VaporTesting

@testable import Guild

/// Every table that points at a niche is declared in `NicheLink.all`, and merging a niche moves all of
/// them. Before the registry, a merge moved members, partner wishes and requests only: the posts,
/// blog recommendations, contacts, cover backups and disciplines of the old niche stayed behind it.
@Suite("Niche links")
struct NicheLinkTests {
    /// Niches' own links, which the merge handles itself (the synonyms, and the merge pointer).
    static let ownLinks: Set<String> = ["niches.merged_into_id", "niche_aliases.niche_id"]

    @Test("every foreign key to niches in the live schema is a registered link, and every registered link is one")
    func schemaLinksRegistered() async throws {
        try await withGuild { app, _ in
            struct Key: Decodable, Hashable { var tbl: String; var col: String }
            let keys = try await app.db.sql.raw(app.db.isSQLite
                ? """
                  SELECT m.name AS tbl, p."from" AS col FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) p
                  WHERE m.type = 'table' AND p."table" = 'niches'
                  """
                : """
                  SELECT cl.relname AS tbl, a.attname AS col FROM pg_constraint c
                  JOIN pg_class cl ON cl.oid = c.conrelid
                  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
                  WHERE c.contype = 'f' AND c.confrelid = 'niches'::regclass
                  """).all(decoding: Key.self)
            let found = Set(keys.map { "\($0.tbl).\($0.col)" })
            let registered = Set(NicheLink.all.map { "\($0.table).\($0.column)" }).union(Self.ownLinks)
            #expect(found.subtracting(registered).isEmpty, "links to niches no merge moves: \(found.subtracting(registered).sorted())")
            #expect(registered.subtracting(found).isEmpty, "registered links the schema does not have: \(registered.subtracting(found).sorted())")
            #expect(Set(NicheLink.all.map(\.table)).count == NicheLink.all.count, "a table registered twice")
        }
    }

    @Test("merging a niche moves every kind of link to the target, each row once, on the whole demo network")
    func mergeMovesEveryLink() async throws {
        try await withGuild { app, _ in
            // setup: the demo has rows in every link
            try await DemoData.seedIfEmpty(app, console: Terminal())
            struct Niche: Decodable { var id: UUID; var slug: String }
            struct Key: Decodable, Hashable { var key: UUID }
            for link in NicheLink.all {
                let table = SQLIdentifier(link.table), column = SQLIdentifier(link.column), key = SQLIdentifier(link.key)
                // the niche this link uses most, and another one, both not merged yet
                guard let source = try await app.db.sql.raw("""
                    SELECT n.id, n.slug FROM niches n JOIN \(table) t ON t.\(column) = n.id WHERE n.merged_into_id IS NULL
                    GROUP BY n.id, n.slug ORDER BY COUNT(*) DESC, n.slug LIMIT 1
                    """).first(decoding: Niche.self) else {
                    Issue.record("the demo has no rows in \(link.table) to merge")
                    continue
                }
                let target = try #require(try await app.db.sql.raw("""
                    SELECT id, slug FROM niches WHERE merged_into_id IS NULL AND id <> \(bind: source.id) ORDER BY slug LIMIT 1
                    """).first(decoding: Niche.self))
                let keys: @Sendable (UUID) async throws -> Set<UUID> = { niche in
                    Set(try await app.db.sql.raw("SELECT \(key) AS key FROM \(table) WHERE \(column) = \(bind: niche)")
                        .all(decoding: Key.self).map(\.key))
                }
                let before = try await keys(source.id).union(try await keys(target.id))
                // act
                _ = try await Niches.merge(slug: source.slug, into: target.slug, on: app.db)
                // assert
                #expect(try await keys(source.id).isEmpty, "\(link.table) still points at the merged niche")
                #expect(try await keys(target.id) == before, "\(link.table) lost or gained rows in the merge")
            }
        }
    }

    @Test("after a merge, the target niche's knowledge list and post search show the old niche's posts")
    func postsFollowMerge() async throws {
        try await withGuild { app, _ in
            // setup
            let (author, _) = try await Profile.make(name: "Pia Poster", niches: ["pupper obedience"], on: app)
            let post = try await Posts.create(PostDraft(kind: "tip", title: "Recall training that sticks", body: "Short sessions, every day.",
                                                        problem: "", approach: "", result: "", niches: ["pupper obedience"],
                                                        visibility: "public", anonymous: false, referralID: nil), by: author, on: app.db)
            #expect(try await PostSearch.hits(PostQuery(q: "recall", niche: "pupper-obedience"), on: app.db).ids == [post])
            // act
            _ = try await Niches.merge(slug: "pupper-obedience", into: "dog training", on: app.db)
            // assert: listed under the target, and found by the target's name (its search entry was rebuilt)
            #expect(try await PostSearch.hits(PostQuery(q: "recall", niche: "dog-training"), on: app.db).ids == [post])
            #expect(try await PostSearch.hits(PostQuery(q: "dog training"), on: app.db).ids == [post])
        }
    }
}
