import Taxonomy
import Fluent
import Vapor

extension Application {
    private struct ConfigKey: StorageKey { typealias Value = AppConfig }
    private struct MailKey: StorageKey { typealias Value = any MailTransport }
    private struct MetricsKey: StorageKey { typealias Value = GuildMetrics }
    private struct DummyHashKey: StorageKey { typealias Value = String }
    private struct TaxonomyKey: StorageKey { typealias Value = Taxonomy }
    private struct SearchCacheKey: StorageKey { typealias Value = SearchCache }
    private struct PostSearchCacheKey: StorageKey { typealias Value = PostSearchCache }
    private struct SQLiteReaderKey: StorageKey { typealias Value = SQLiteReader }
    private struct ProfileCacheKey: StorageKey { typealias Value = ProfileCache }
    private struct GenerationKey: StorageKey { typealias Value = CacheGeneration }
    private struct KnowledgeGenerationKey: StorageKey { typealias Value = CacheGeneration }
    private struct NicheCacheKey: StorageKey { typealias Value = NicheCache }
    private struct FragmentsKey: StorageKey { typealias Value = FragmentCache }
    private struct NicheIndexCacheKey: StorageKey { typealias Value = NicheIndexCache }
    private struct MatchingModelKey: StorageKey { typealias Value = MatchingModel }
    private struct MatchIndexKey: StorageKey { typealias Value = MatchIndex }
    private struct MatchThrottleKey: StorageKey { typealias Value = MatchThrottle }
    private struct OrganizerReportsKey: StorageKey { typealias Value = OrganizerReportCache }
    private struct NicheVocabularyKey: StorageKey { typealias Value = NicheVocabularyCache }

    var taxonomy: Taxonomy {
        get { storage[TaxonomyKey.self] ?? Taxonomy(categories: []) }
        set { storage[TaxonomyKey.self] = newValue }
    }

    var searchCache: SearchCache {
        get { storage[SearchCacheKey.self] ?? SearchCache(capacity: 0) }
        set { storage[SearchCacheKey.self] = newValue }
    }

    /// The words of every niche's names and client words, which searched typos are read as.
    var nicheVocabulary: NicheVocabularyCache {
        get { storage[NicheVocabularyKey.self] ?? NicheVocabularyCache(capacity: 0) }
        set { storage[NicheVocabularyKey.self] = newValue }
    }

    /// Ranked pages of knowledge posts (searches, most helpful), under the knowledge generation.
    var postSearchCache: PostSearchCache {
        get { storage[PostSearchCacheKey.self] ?? PostSearchCache(capacity: 0) }
        set { storage[PostSearchCacheKey.self] = newValue }
    }

    var profileCache: ProfileCache {
        get { storage[ProfileCacheKey.self] ?? ProfileCache(capacity: 0) }
        set { storage[ProfileCacheKey.self] = newValue }
    }

    var nicheCache: NicheCache {
        get { storage[NicheCacheKey.self] ?? NicheCache(capacity: 0) }
        set { storage[NicheCacheKey.self] = newValue }
    }

    var nicheIndexCache: NicheIndexCache {
        get { storage[NicheIndexCacheKey.self] ?? NicheIndexCache(capacity: 0) }
        set { storage[NicheIndexCacheKey.self] = newValue }
    }

    /// Rendered HTML that is the same for every visitor (niche pages, the niche index, the niche
    /// filter's options), kept under the cache rule like the data it shows.
    var fragments: FragmentCache {
        get { storage[FragmentsKey.self] ?? FragmentCache(capacity: 0) }
        set { storage[FragmentsKey.self] = newValue }
    }

    /// The sentence model (loaded on first use, or by `guild serve`'s worker at start).
    var matchingModel: MatchingModel {
        get { storage[MatchingModelKey.self] ?? MatchingModel(directory: URL(fileURLWithPath: "/nonexistent"), preferSwiftKernel: false) }
        set { storage[MatchingModelKey.self] = newValue }
    }

    /// This server's in-memory picture of members' pieces and vectors.
    var matchIndex: MatchIndex {
        get {
            if let index = storage[MatchIndexKey.self] { return index }
            let index = MatchIndex()
            storage[MatchIndexKey.self] = index
            return index
        }
        set { storage[MatchIndexKey.self] = newValue }
    }

    /// Matches one address may ask this server for, a minute.
    /// The organizer report, computed once per ledger change (`OrganizerReportCache`).
    var organizerReports: OrganizerReportCache {
        get { storage[OrganizerReportsKey.self] ?? OrganizerReportCache(generation: CacheGeneration(.ledger)) }
        set { storage[OrganizerReportsKey.self] = newValue }
    }

    /// Seals and opens cover-plan runbooks; nil when no key is configured (runbooks then cannot be kept).
    var runbookCipher: RunbookCipher? {
        get { storage[RunbookCipherKey.self] }
        set { storage[RunbookCipherKey.self] = newValue }
    }

    var matchThrottle: MatchThrottle {
        get { storage[MatchThrottleKey.self] ?? MatchThrottle(perMinute: 0) }
        set { storage[MatchThrottleKey.self] = newValue }
    }

    /// What every directory cache checks its entries against.
    var directoryGeneration: CacheGeneration {
        get { storage[GenerationKey.self] ?? CacheGeneration() }
        set { storage[GenerationKey.self] = newValue }
    }

    /// What the knowledge caches (posts and their search) check their entries against.
    var knowledgeGeneration: CacheGeneration {
        get { storage[KnowledgeGenerationKey.self] ?? CacheGeneration(.knowledge) }
        set { storage[KnowledgeGenerationKey.self] = newValue }
    }

    /// Synchronous reads for the hottest queries on SQLite; nil on PostgreSQL.
    var sqliteReader: SQLiteReader? {
        get { storage[SQLiteReaderKey.self] }
        set { storage[SQLiteReaderKey.self] = newValue }
    }

    var guildConfig: AppConfig {
        get { storage[ConfigKey.self] ?? .development }
        set { storage[ConfigKey.self] = newValue }
    }

    var mailTransport: any MailTransport {
        get { storage[MailKey.self] ?? FileMailTransport(directory: guildConfig.mailDirectory) }
        set { storage[MailKey.self] = newValue }
    }

    var metrics: GuildMetrics {
        get { storage[MetricsKey.self]! }
        set { storage[MetricsKey.self] = newValue }
    }

    /// A hash checked against when an account does not exist, so that timing reveals nothing.
    var dummyPasswordHash: String {
        get { storage[DummyHashKey.self] ?? "" }
        set { storage[DummyHashKey.self] = newValue }
    }

    func outboxDelivery() -> OutboxDelivery {
        OutboxDelivery(db: db, transport: mailTransport, from: guildConfig.mailFrom, logger: logger)
    }
}

private struct RunbookCipherKey: StorageKey { typealias Value = RunbookCipher }
