import Taxonomy
import Fluent

/// The database's history, in order. Append; never edit a step that has landed.
enum GuildMigrations {
    static func all(taxonomy: Taxonomy) -> [any Migration] {
        [
            CreateUsers(),
            CreateSessions(),
            CreateAPITokens(),
            CreatePasswordResets(),
            CreateThrottleEvents(),
            CreateOutboxMessages(),
            CreateDirectory(),
            CreateMemberSearchIndex(),
            LoadNicheTaxonomy(taxonomy: taxonomy),
            IndexUserNames(),
            AddProfileBioHTML(),
            AddProfileTags(),
            TuneMemberSearch(),
            MoveSearchVectors(),
            TaxonomyUpdate(name: "015_TaxonomyAIAndFractional", taxonomy: taxonomy, changes: [
                .addNiche(slug: "ai-workflow-automation"),
                .addNiche(slug: "fractional-cmo"),
                .addSynonyms(slug: "web-application-development", ["saas development"]),
                .addClientWords(slug: "podcast-production", ["podcast launch"]),
            ]),
            DirectoryGenerationTriggers(),
            ThrottleConsumeFunction(),
            NicheDisplayNames(),
            CreateMatchIndex(),
            CreateReferrals(),
            CreateTestimonials(),
            DeferGenerationBumps(),
            CreateRequests(),
            CreatePosts(),
            IndexReferralsByTime(),
            CreateConversation(),
            CreateDigestSends(),
            CreateBlogroll(),
            CreateContacts(),
            CreateEvents(),
            CountContacts(),
            AddCalendarToOutbox(),
            KeepOccurrenceDates(),
            CreateCoverPlans(),
            CoverGenerationTriggers(),
            CreateDisciplines(),
            CreateMailPolicy(),
            CreateCoverSwitchConsents(),
            CreateAnonymousPostCounts(),
            CreateSignInDevices(),
            CreateIdempotencyKeys(),
            CreateJobRuns(),
            CreateLedgerGeneration(),
            MatchFactsTrigger(),
        ]
    }
}
