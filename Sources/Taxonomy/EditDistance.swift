/// Edit distance with adjacent transpositions (optimal string alignment): an insertion, a deletion,
/// a substitution or two neighbouring letters swapped each count one, so "hmoe" is one typo from
/// "home", as people type it (Levenshtein counted two). Exits early once it passes `limit`.
public enum EditDistance {
    public static func between(_ a: String, _ b: String, limit: Int = .max) -> Int {
        let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var twoBack = [Int](repeating: 0, count: y.count + 1)
        var previous = Array(0...y.count), current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            current[0] = i
            var rowMinimum = current[0]
            for j in 1...y.count {
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { value = min(value, twoBack[j - 2] + 1) }
                current[j] = value
                rowMinimum = min(rowMinimum, value)
            }
            // A row's minimum never falls by more than one a row, and a swap reaches back one row
            // only, so once a row is past the limit every later cell is too.
            if rowMinimum > limit { return rowMinimum }
            (twoBack, previous, current) = (previous, current, twoBack)
        }
        return previous[y.count]
    }
}
