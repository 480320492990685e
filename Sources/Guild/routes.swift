import Vapor

/// The table of contents: one line per feature.
func routes(_ app: Application) throws {
    try app.register(collection: OperationsController())

    let web = app.grouped(WebSessionMiddleware(), CSRFMiddleware())
    try web.register(collection: HomeController())
    try web.register(collection: AccountsController())
    try web.register(collection: PasswordController())
    try web.register(collection: SearchController())
    try web.register(collection: MatchingController())
    try web.register(collection: NichesController())
    try web.register(collection: ProfileController())
    try web.register(collection: ProfilePageController())
    try web.register(collection: RosterController())
    try web.grouped(RequireSignInMiddleware()).register(collection: SettingsController())
    try web.grouped(RequireSignInMiddleware()).register(collection: ReferralsController())
    try web.grouped(RequireSignInMiddleware()).register(collection: RequestsController())
    try web.grouped(RequireSignInMiddleware()).register(collection: ContactsController())
    try web.register(collection: CirclesController())
    try web.register(collection: EventsController())
    try web.register(collection: OneToOnesController())
    try web.register(collection: CalendarFeedController())
    try web.register(collection: CoverController())
    try web.register(collection: CoverActivationLinkController())
    try web.register(collection: DisciplinesController())
    try web.register(collection: PostsController())
    try web.register(collection: CommentsController())
    try web.register(collection: PostReportsController())
    try web.register(collection: BlogrollController())
    try web.grouped(RequireSignInMiddleware(role: .organizer)).register(collection: ModerationController())
    // Feeds are read by feed readers: no session, no cookies.
    try app.register(collection: FeedsController())
    try app.register(collection: CalendarFeedFileController())
    try web.grouped(RequireSignInMiddleware()).register(collection: NotificationsController())
    try web.grouped(RequireSignInMiddleware(role: .organizer)).register(collection: OrganizerReferralsController())
    // One-click unsubscribe is posted by mail clients, with no page and no CSRF token (RFC 8058).
    try app.grouped(WebSessionMiddleware()).register(collection: UnsubscribeController())
    try app.grouped(WebSessionMiddleware()).register(collection: MailStopController())
    try web.grouped(RequireSignInMiddleware(role: .admin)).register(collection: AdminController())

    try GuildAPI.register(on: app)
}
