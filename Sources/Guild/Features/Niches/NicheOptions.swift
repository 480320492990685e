import Vapor

/// What `Niches/niche-options` renders: the niches by category.
struct NicheOptions: Encodable {
    var nicheGroups: [NicheIndex.Category]
}

extension NicheIndex {
    /// The 200-odd `<option>`s of the niche filter: rendered once per directory generation, the
    /// chosen slug marked by a plain text change (slugs are letters, digits and dashes).
    static func options(selected slug: String, on req: Request) async throws -> String {
        let options = try await req.application.fragments.value(for: "niche-options", on: req.db) {
            Fragment(title: "", html: try await req.view.render(
                "Niches/niche-options", NicheOptions(nicheGroups: NicheIndex.cached(for: req).categories)).html)
        }?.html ?? ""
        guard !slug.isEmpty else { return options }
        return options.replacingOccurrences(of: "<option value=\"\(slug)\">", with: "<option value=\"\(slug)\" selected>")
    }
}
