import Fluent
import SQLKit
import Testing
import Validation
import VaporTesting

@testable import Guild

/// The matrix's rows for every feature before cover plans (theirs are in `AccessMatrixTests+Cover.swift`).
extension AccessMatrixTests {
    static let baseRows: [Row] = directoryRows + peopleRows

    /// Accounts, the directory, referrals, requests and knowledge.
    static let directoryRows: [Row] = [
        // A reset link is its own credential: whoever holds it may use it, signed in or not.
        Row(route: "GET /password/reset/:token",
            path: { cast in "/password/reset/" + (try await PasswordReset.issue(for: cast.resetUser.requireID(), purpose: .reset, on: cast.app.db)) },
            expected: Row.all(.ok)),
        Row(route: "POST /password/reset/:token", body: { _ in ["password": "a brand new password"] },
            path: { cast in "/password/reset/" + (try await PasswordReset.issue(for: cast.resetUser.requireID(), purpose: .reset, on: cast.app.db)) },
            expected: Row.all(.seeOther)),
        Row(route: "GET /n/:slug", path: { _ in "/n/bookkeeping" }, expected: Row.all(.ok)),
        Row(route: "POST /n/:slug/merge", body: { _ in ["into": "bookkeeping"] },
            path: { cast in "/n/\(try await cast.freshNiche())/merge" }, expected: organizersOnly),
        Row(route: "POST /n/:slug/synonyms", body: { cast in ["synonym": "matrix synonym \(cast.next())"] },
            path: { _ in "/n/bookkeeping/synonyms" }, expected: organizersOnly),
        Row(route: "GET /m/:slug", path: { cast in "/m/\(cast.ownerSlug)" }, expected: Row.all(.ok)),
        // The owner is sent to their own edit page; anonymous visitors to the sign-in page.
        Row(route: "GET /m/:slug/edit", path: { cast in "/m/\(cast.ownerSlug)/edit" },
            expected: [.anonymous: .seeOther, .member: .forbidden, .owner: .seeOther, .organizer: .ok, .admin: .ok]),
        Row(route: "POST /m/:slug/edit", body: { _ in ["niche1": "bookkeeping", "headline": "Edited"] },
            path: { cast in "/m/\(cast.ownerSlug)/edit" },
            expected: [.anonymous: .unauthorized, .member: .forbidden, .owner: .seeOther, .organizer: .seeOther, .admin: .seeOther]),
        // Someone else's token is answered like a token that does not exist, even for an admin.
        Row(route: "POST /settings/tokens/:tokenID/revoke",
            path: { cast in
                let (token, _) = try await APIToken.issue(for: cast.users[.owner]!.requireID(), label: "cell \(cast.next())", on: cast.app.db)
                return "/settings/tokens/\(try token.requireID())/revoke"
            },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .seeOther, .organizer: .notFound, .admin: .notFound]),
        Row(route: "POST /admin/users/:userID/role", body: { _ in ["role": "member"] },
            path: { cast in "/admin/users/\(try cast.users[.owner]!.requireID())/role" }, expected: adminsOnly),
        Row(route: "POST /admin/outbox/:messageID/retry",
            path: { cast in
                try await Outbox.enqueue(to: cast.users[.owner]!.email, subject: "cell \(cast.next())", body: "b", on: cast.app.db)
                let message = try #require(try await OutboxMessage.query(on: cast.app.db).sort(\.$createdAt, .descending).first())
                message.status = .failed
                try await message.save(on: cast.app.db)
                return "/admin/outbox/\(try message.requireID())/retry"
            },
            expected: adminsOnly),
        // Referring a client: any signed-in member to anyone but themselves (the owner is sent back with an error).
        Row(route: "GET /m/:slug/refer", path: { cast in "/m/\(cast.ownerSlug)/refer" },
            expected: [.anonymous: .seeOther, .member: .ok, .owner: .ok, .organizer: .ok, .admin: .ok]),
        Row(route: "POST /m/:slug/refer",
            body: { _ in ["clientName": "Clara", "clientEmail": "clara@example.com", "need": "books", "urgency": "whenever", "consent": "yes"] },
            path: { cast in "/m/\(cast.ownerSlug)/refer" },
            expected: [.anonymous: .unauthorized, .member: .seeOther, .owner: .unprocessableEntity, .organizer: .seeOther, .admin: .seeOther]),
        // A referral's client details: its giver, its receiver (the owner here) and admins; everyone else is told it does not exist.
        Row(route: "GET /referrals/:referralID", path: { cast in "/referrals/\(try await cast.referral())" },
            expected: [.anonymous: .seeOther, .member: .notFound, .owner: .ok, .organizer: .notFound, .admin: .ok]),
        Row(route: "POST /referrals/:referralID/transitions", body: { _ in ["to": "accepted"] },
            path: { cast in "/referrals/\(try await cast.referral())/transitions" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .seeOther, .organizer: .notFound, .admin: .forbidden]),
        // Only the giver (Rita, not in the cast) may pass a declined client on; the receiver and admins may not.
        Row(route: "POST /referrals/:referralID/pass", body: { _ in ["to": "member-person"] },
            path: { cast in "/referrals/\(try await cast.referral(status: "declined"))/pass" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .unprocessableEntity, .organizer: .notFound, .admin: .unprocessableEntity]),
        // Only the parties of a won referral write a testimonial (the owner received this one; Rita gave it).
        Row(route: "POST /referrals/:referralID/testimonial", body: { _ in ["text": "Thank you"] },
            path: { cast in "/referrals/\(try await cast.referral(status: "won"))/testimonial" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .seeOther, .organizer: .notFound, .admin: .conflict]),
        Row(route: "POST /testimonials/:testimonialID/hide", body: { _ in ["hidden": "true"] },
            path: { cast in "/testimonials/\(try await cast.testimonial())/hide" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .seeOther, .organizer: .notFound, .admin: .notFound]),
        Row(route: "POST /api/v1/referrals/:id/testimonial", api: true, body: { _ in ["text": "Thank you"] },
            path: { cast in "/api/v1/referrals/\(try await cast.referral(status: "won"))/testimonial" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .created, .organizer: .notFound, .admin: .conflict]),
        Row(route: "POST /notifications/:notificationID/read", path: { cast in "/notifications/\(try await cast.notification())/read" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .seeOther, .organizer: .notFound, .admin: .notFound]),
        // The unsubscribe link is its own credential, like a reset link.
        Row(route: "GET /unsubscribe/:token",
            path: { cast in "/unsubscribe/" + (try await Notifications.unsubscribeToken(cast.users[.owner]!.requireID(), .referralReceived, on: cast.app.db)) },
            expected: Row.all(.ok)),
        Row(route: "POST /unsubscribe/:token",
            path: { cast in "/unsubscribe/" + (try await Notifications.unsubscribeToken(cast.users[.owner]!.requireID(), .referralReceived, on: cast.app.db)) },
            expected: Row.all(.ok)),
        Row(route: "GET /api/v1/referrals/:id", api: true, path: { cast in "/api/v1/referrals/\(try await cast.referral())" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .ok, .organizer: .notFound, .admin: .ok]),
        Row(route: "POST /api/v1/referrals/:id/transitions", api: true, body: { _ in ["to": "accepted"] },
            path: { cast in "/api/v1/referrals/\(try await cast.referral())/transitions" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .ok, .organizer: .notFound, .admin: .forbidden]),
        Row(route: "POST /api/v1/notifications/:id/read", api: true, path: { cast in "/api/v1/notifications/\(try await cast.notification())/read" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .noContent, .organizer: .notFound, .admin: .notFound]),
        // The requests board: every member reads a request and may suggest someone; only its poster (the owner) acts on it.
        Row(route: "GET /requests/:requestID", path: { cast in "/requests/\(try await cast.request())" },
            expected: [.anonymous: .seeOther, .member: .ok, .owner: .ok, .organizer: .ok, .admin: .ok]),
        Row(route: "POST /requests/:requestID/answers", body: { _ in ["member": "member-person", "reason": "Knows launches"] },
            path: { cast in "/requests/\(try await cast.request())/answers" },
            expected: [.anonymous: .unauthorized, .member: .seeOther, .owner: .conflict, .organizer: .seeOther, .admin: .seeOther]),
        Row(route: "POST /requests/:requestID/close", path: { cast in "/requests/\(try await cast.request())/close" },
            expected: [.anonymous: .unauthorized, .member: .forbidden, .owner: .seeOther, .organizer: .forbidden, .admin: .forbidden]),
        Row(route: "POST /requests/:requestID/extend", path: { cast in "/requests/\(try await cast.request())/extend" },
            expected: [.anonymous: .unauthorized, .member: .forbidden, .owner: .seeOther, .organizer: .forbidden, .admin: .forbidden]),
        Row(route: "GET /api/v1/requests/:id", api: true, path: { cast in "/api/v1/requests/\(try await cast.request())" },
            expected: [.anonymous: .unauthorized, .member: .ok, .owner: .ok, .organizer: .ok, .admin: .ok]),
        Row(route: "GET /api/v1/requests/:id/suggestions", api: true, path: { cast in "/api/v1/requests/\(try await cast.request())/suggestions" },
            expected: [.anonymous: .unauthorized, .member: .ok, .owner: .ok, .organizer: .ok, .admin: .ok]),
        Row(route: "POST /api/v1/requests/:id/answers", api: true, body: { _ in ["member": "member-person", "reason": "Knows launches"] },
            path: { cast in "/api/v1/requests/\(try await cast.request())/answers" },
            expected: [.anonymous: .unauthorized, .member: .created, .owner: .conflict, .organizer: .created, .admin: .created]),
        Row(route: "POST /api/v1/requests/:id/referral", api: true,
            json: #"{"to":"member-person","clientName":"Clara","clientEmail":"clara@example.com","urgency":"whenever","consent":true}"#,
            path: { cast in "/api/v1/requests/\(try await cast.request())/referral" },
            expected: [.anonymous: .unauthorized, .member: .forbidden, .owner: .created, .organizer: .forbidden, .admin: .forbidden]),
        Row(route: "POST /api/v1/requests/:id/close", api: true, path: { cast in "/api/v1/requests/\(try await cast.request())/close" },
            expected: [.anonymous: .unauthorized, .member: .forbidden, .owner: .ok, .organizer: .forbidden, .admin: .forbidden]),
        Row(route: "POST /api/v1/requests/:id/extend", api: true, path: { cast in "/api/v1/requests/\(try await cast.request())/extend" },
            expected: [.anonymous: .unauthorized, .member: .forbidden, .owner: .ok, .organizer: .forbidden, .admin: .forbidden]),
        // Knowledge: a public post is for everyone; its author edits it, its author or an admin deletes it.
        Row(route: "GET /posts/:postID", path: { cast in "/posts/\(try await cast.post())" }, expected: Row.all(.ok)),
        Row(route: "GET /posts/:postID/edit", path: { cast in "/posts/\(try await cast.post())/edit" },
            expected: [.anonymous: .seeOther, .member: .notFound, .owner: .ok, .organizer: .notFound, .admin: .notFound]),
        Row(route: "POST /posts/:postID/edit", body: { _ in ["title": "Edited", "body": "Still true", "niches": "bookkeeping", "visibility": "public"] },
            path: { cast in "/posts/\(try await cast.post())/edit" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .seeOther, .organizer: .notFound, .admin: .notFound]),
        Row(route: "POST /posts/:postID/delete", path: { cast in "/posts/\(try await cast.post())/delete" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .seeOther, .organizer: .notFound, .admin: .seeOther]),
        // The conversation: every member comments, reports and marks others' posts helpful; a comment is
        // its author's to edit (and an admin's to delete); the asker accepts an answer; organizers moderate.
        Row(route: "POST /posts/:postID/comments", body: { _ in ["body": "Good point"] }, path: { cast in "/posts/\(try await cast.post())/comments" },
            expected: [.anonymous: .unauthorized, .member: .seeOther, .owner: .seeOther, .organizer: .seeOther, .admin: .seeOther]),
        Row(route: "GET /posts/:postID/comments/:commentID/edit",
            path: { cast in let c = try await cast.comment(byOwner: true); return "/posts/\(c.post)/comments/\(c.comment)/edit" },
            expected: [.anonymous: .seeOther, .member: .notFound, .owner: .ok, .organizer: .notFound, .admin: .notFound]),
        Row(route: "POST /posts/:postID/comments/:commentID/edit", body: { _ in ["body": "Edited"] },
            path: { cast in let c = try await cast.comment(byOwner: true); return "/posts/\(c.post)/comments/\(c.comment)/edit" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .seeOther, .organizer: .notFound, .admin: .notFound]),
        Row(route: "POST /posts/:postID/comments/:commentID/delete",
            path: { cast in let c = try await cast.comment(byOwner: true); return "/posts/\(c.post)/comments/\(c.comment)/delete" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .seeOther, .organizer: .notFound, .admin: .seeOther]),
        Row(route: "POST /posts/:postID/comments/:commentID/accept",
            path: { cast in let c = try await cast.comment(question: true); return "/posts/\(c.post)/comments/\(c.comment)/accept" },
            expected: [.anonymous: .unauthorized, .member: .forbidden, .owner: .seeOther, .organizer: .forbidden, .admin: .forbidden]),
        Row(route: "POST /posts/:postID/unaccept", path: { cast in "/posts/\(try await cast.comment(question: true).post)/unaccept" },
            expected: [.anonymous: .unauthorized, .member: .forbidden, .owner: .seeOther, .organizer: .forbidden, .admin: .forbidden]),
        Row(route: "POST /posts/:postID/helpful", path: { cast in "/posts/\(try await cast.post())/helpful" },
            expected: [.anonymous: .unauthorized, .member: .seeOther, .owner: .conflict, .organizer: .seeOther, .admin: .seeOther]),
        Row(route: "GET /posts/:postID/report", path: { cast in "/posts/\(try await cast.post())/report" },
            expected: [.anonymous: .seeOther, .member: .ok, .owner: .ok, .organizer: .ok, .admin: .ok]),
        Row(route: "POST /posts/:postID/report", body: { _ in ["reason": "Spam"] }, path: { cast in "/posts/\(try await cast.post())/report" },
            expected: [.anonymous: .unauthorized, .member: .seeOther, .owner: .seeOther, .organizer: .seeOther, .admin: .seeOther]),
        Row(route: "POST /posts/:postID/moderate", body: { _ in ["action": "hide", "reason": "Spam"] },
            path: { cast in "/posts/\(try await cast.post())/moderate" }, expected: organizersOnly),
        Row(route: "POST /posts/:postID/comments/:commentID/moderate", body: { _ in ["action": "hide", "reason": "Spam"] },
            path: { cast in let c = try await cast.comment(); return "/posts/\(c.post)/comments/\(c.comment)/moderate" },
            expected: organizersOnly),
        Row(route: "POST /organize/moderation/reports/:reportID/dismiss", body: { _ in ["reason": "Fine as it is"] },
            path: { cast in "/organize/moderation/reports/\(try await cast.report())/dismiss" }, expected: organizersOnly),
        Row(route: "GET /api/v1/posts/:id/comments", api: true, path: { cast in "/api/v1/posts/\(try await cast.comment().post)/comments" },
            expected: Row.all(.ok)),
        Row(route: "POST /api/v1/posts/:id/comments", api: true, body: { _ in ["body": "Good point"] },
            path: { cast in "/api/v1/posts/\(try await cast.post())/comments" },
            expected: [.anonymous: .unauthorized, .member: .created, .owner: .created, .organizer: .created, .admin: .created]),
        Row(route: "PATCH /api/v1/posts/:id/comments/:commentId", api: true, body: { _ in ["body": "Edited"] },
            path: { cast in let c = try await cast.comment(byOwner: true); return "/api/v1/posts/\(c.post)/comments/\(c.comment)" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .ok, .organizer: .notFound, .admin: .notFound]),
        Row(route: "DELETE /api/v1/posts/:id/comments/:commentId", api: true,
            path: { cast in let c = try await cast.comment(byOwner: true); return "/api/v1/posts/\(c.post)/comments/\(c.comment)" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .noContent, .organizer: .notFound, .admin: .noContent]),
        Row(route: "PUT /api/v1/posts/:id/helpful", api: true, path: { cast in "/api/v1/posts/\(try await cast.post())/helpful" },
            expected: [.anonymous: .unauthorized, .member: .ok, .owner: .conflict, .organizer: .ok, .admin: .ok]),
        Row(route: "DELETE /api/v1/posts/:id/helpful", api: true, path: { cast in "/api/v1/posts/\(try await cast.post())/helpful" },
            expected: [.anonymous: .unauthorized, .member: .ok, .owner: .ok, .organizer: .ok, .admin: .ok]),
        Row(route: "PUT /api/v1/posts/:id/accepted", api: true, body: { cast in cast.acceptBody },
            path: { cast in
                let c = try await cast.comment(question: true)
                cast.acceptBody = ["commentId": c.comment.uuidString]
                return "/api/v1/posts/\(c.post)/accepted"
            },
            expected: [.anonymous: .unauthorized, .member: .forbidden, .owner: .noContent, .organizer: .forbidden, .admin: .forbidden]),
        Row(route: "DELETE /api/v1/posts/:id/accepted", api: true, path: { cast in "/api/v1/posts/\(try await cast.comment(question: true).post)/accepted" },
            expected: [.anonymous: .unauthorized, .member: .forbidden, .owner: .noContent, .organizer: .forbidden, .admin: .forbidden]),
        Row(route: "POST /api/v1/posts/:id/reports", api: true, body: { _ in ["reason": "Spam"] },
            path: { cast in "/api/v1/posts/\(try await cast.post())/reports" },
            expected: [.anonymous: .unauthorized, .member: .noContent, .owner: .noContent, .organizer: .noContent, .admin: .noContent]),
        Row(route: "POST /api/v1/moderation/reports/:id/dismiss", api: true, body: { _ in ["reason": "Fine as it is"] },
            path: { cast in "/api/v1/moderation/reports/\(try await cast.report())/dismiss" }, expected: organizersOnlyNoContent),
        Row(route: "POST /api/v1/moderation/posts/:id", api: true, body: { _ in ["action": "hide", "reason": "Spam"] },
            path: { cast in "/api/v1/moderation/posts/\(try await cast.post())" }, expected: organizersOnlyNoContent),
        Row(route: "POST /api/v1/moderation/comments/:id", api: true, body: { _ in ["action": "hide", "reason": "Spam"] },
            path: { cast in "/api/v1/moderation/comments/\(try await cast.comment().comment)" }, expected: organizersOnlyNoContent),
        // The blogroll: niche pages and OPML for everyone; a recommendation is its member's to take back.
        Row(route: "GET /n/:slug/blogroll", path: { _ in "/n/bookkeeping/blogroll" }, expected: Row.all(.ok)),
        Row(route: "GET /blogroll/niches/:file", path: { _ in "/blogroll/niches/bookkeeping.opml" }, expected: Row.all(.ok)),
        Row(route: "GET /blogroll/members/:file", path: { cast in "/blogroll/members/\(cast.ownerSlug).opml" }, expected: Row.all(.ok)),
        Row(route: "POST /blogroll/:recommendationID/delete", path: { cast in "/blogroll/\(try await cast.recommendation())/delete" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .seeOther, .organizer: .notFound, .admin: .notFound]),
        Row(route: "DELETE /api/v1/blogroll/:id", api: true, path: { cast in "/api/v1/blogroll/\(try await cast.recommendation())" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .noContent, .organizer: .notFound, .admin: .notFound]),
        Row(route: "GET /api/v1/blogroll/niches/:slug", api: true, path: { _ in "/api/v1/blogroll/niches/bookkeeping" }, expected: Row.all(.ok)),
        Row(route: "GET /feeds/niches/:file", path: { _ in "/feeds/niches/bookkeeping.atom" }, expected: Row.all(.ok)),
        Row(route: "GET /feeds/kinds/:file", path: { _ in "/feeds/kinds/tip.atom" }, expected: Row.all(.ok)),
        Row(route: "GET /feeds/members/:file", path: { cast in "/feeds/members/\(cast.ownerSlug).atom" }, expected: Row.all(.ok)),
        Row(route: "GET /api/v1/posts/:id", api: true, path: { cast in "/api/v1/posts/\(try await cast.post())" }, expected: Row.all(.ok)),
        Row(route: "PATCH /api/v1/posts/:id", api: true, body: { _ in ["title": "Edited"] },
            path: { cast in "/api/v1/posts/\(try await cast.post())" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .ok, .organizer: .notFound, .admin: .notFound]),
        Row(route: "DELETE /api/v1/posts/:id", api: true, path: { cast in "/api/v1/posts/\(try await cast.post())" },
            expected: [.anonymous: .unauthorized, .member: .notFound, .owner: .noContent, .organizer: .notFound, .admin: .noContent]),
    ]
}
