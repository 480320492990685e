import Vapor

extension Job {
    /// Every background job `guild serve` runs, declared by the feature it belongs to.
    static func all(_ config: AppConfig) -> [Job] {
        var jobs = [
            OutboxDelivery.job, OutboxRetention.job, Throttle.job, MailPolicy.job, IdempotencyMiddleware.job, Notifications.job,
            KnowledgeDigest.job, FollowUpDigest.job, DisciplineSummary.job, EventReminders.job, OneToOnes.reminderJob,
        ]
        if let interval = config.feedsRefresh { jobs.append(FeedRefresh.job(every: interval)) }
        return jobs
    }
}
