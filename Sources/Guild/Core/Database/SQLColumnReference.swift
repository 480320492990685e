import SQLKit

/// A column reference (`alias.column`) that a published SQL piece writes into its query as it is:
/// code passes it, never a request, and it is checked to be nothing but identifiers.
enum SQLColumnReference {
    static func checked(_ column: String) -> String {
        precondition(!column.isEmpty && column.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ".") },
                     "not a column reference: \(column)")
        return column
    }
}

/// A published piece of SQL: one column of the owner's row whose key is in another query's column, as a
/// scalar subquery (one index lookup per row, the cost of a join). Owners wrap it in named functions
/// (`AccountsSQL.name(of:)`), so a feature's own SQL never names another feature's table.
struct ScalarLookup {
    var table: String
    var key: String

    func column(_ name: String, of reference: String) -> SQLQueryString {
        "(SELECT \(unsafeRaw: SQLColumnReference.checked(name)) FROM \(unsafeRaw: SQLColumnReference.checked(table)) WHERE \(unsafeRaw: SQLColumnReference.checked(key)) = \(unsafeRaw: SQLColumnReference.checked(reference)))"
    }
}
