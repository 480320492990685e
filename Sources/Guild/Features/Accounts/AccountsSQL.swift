import SQLKit

/// Pieces of SQL other features put in their own queries to show who a member is, so that only
/// Accounts names `users` (README, "Tables and their owners").
enum AccountsSQL {
    private static let users = ScalarLookup(table: "users", key: "id")

    /// The display name of the member whose id is in `column` (a column reference such as `r.giver_id`).
    static func name(of column: String) -> SQLQueryString { users.column("name", of: column) }

    /// The member's sign-in address (for mail Guild sends them; never shown to other members).
    static func email(of column: String) -> SQLQueryString { users.column("email", of: column) }
}
