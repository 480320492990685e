import Foundation
import SQLKit

/// Pieces of SQL other features put in their own queries to show a post, so that only Posts names
/// `posts` (README, "Tables and their owners").
enum PostsSQL {
    private static let posts = ScalarLookup(table: "posts", key: "id")

    /// The title of the post whose id is in `column` (such as `r.post_id`).
    static func title(of column: String) -> SQLQueryString { posts.column("title", of: column) }

    /// The post's text as one string: its body, then the problem it describes (an excerpt's source).
    static func text(of column: String) -> SQLQueryString {
        "(SELECT body || problem FROM posts WHERE id = \(unsafeRaw: SQLColumnReference.checked(column)))"
    }

    /// When a moderator hid the post, or NULL.
    static func hiddenAt(of column: String) -> SQLQueryString { posts.column("hidden_at", of: column) }
}

extension Posts {
    /// A table for the discipline board: one row per post the member wrote since `start` (`at`; `flag` false).
    static func postsSQL(by member: UUID, since start: Date) -> SQLQueryString {
        "(SELECT created_at AS at, FALSE AS flag FROM posts WHERE author_id = \(bind: member) AND created_at >= \(bind: start))"
    }
}
