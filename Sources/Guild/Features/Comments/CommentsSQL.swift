import SQLKit

/// Pieces of SQL other features put in their own queries to show a comment, so that only Comments names
/// `post_comments` (README, "Tables and their owners"). NULL when the column is NULL.
enum CommentsSQL {
    private static let comments = ScalarLookup(table: "post_comments", key: "id")

    /// The text of the comment whose id is in `column` (such as `r.comment_id`).
    static func body(of column: String) -> SQLQueryString { comments.column("body", of: column) }

    /// When a moderator hid the comment, or NULL.
    static func hiddenAt(of column: String) -> SQLQueryString { comments.column("hidden_at", of: column) }
}
