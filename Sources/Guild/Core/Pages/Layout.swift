import Vapor
#if canImport(Glibc)
import Glibc
#endif

/// What every HTML page needs from the request: who is signed in, the CSRF token, a flash message.
struct Layout: Encodable, Sendable {
    struct CurrentUser: Encodable, Sendable {
        var name: String
        var isOrganizer: Bool
        var isAdmin: Bool
    }

    var title: String
    var user: CurrentUser?
    /// Unread notifications of the signed-in member (0 when signed out).
    var unread: Int = 0
    var csrf: String
    var flash: Flash?
    /// Atom feeds the page offers in its head.
    var feeds: [FeedLink] = []
    /// A sentence for search results and link previews (Open Graph), on pages people share.
    var description: String? = nil
}

struct UnreadNotificationsKey: StorageKey { typealias Value = Int }

struct Flash: Codable, Sendable {
    enum Kind: String, Codable, Sendable { case success, error, info }
    var kind: Kind
    var text: String
}

extension Request {
    func layout(title: String) -> Layout {
        Layout(
            title: title,
            user: currentUser.map {
                .init(name: $0.name, isOrganizer: $0.role.canOrganize, isAdmin: $0.role == .admin)
            },
            unread: storage[UnreadNotificationsKey.self] ?? 0,
            csrf: storage[CSRFTokenKey.self] ?? "",
            flash: storage[IncomingFlashKey.self])
    }

    /// Shows `text` on the next page this browser loads.
    func flash(_ kind: Flash.Kind, _ text: String) {
        storage[OutgoingFlashKey.self] = Flash(kind: kind, text: text)
    }

    var currentUser: User? { storage[CurrentUserKey.self] }
    var currentSession: UserSession? { storage[CurrentSessionKey.self] }

    /// The signed-in user, or 401 (the web group redirects to the sign-in page before this).
    func requireUser() throws -> User {
        guard let user = currentUser else { throw CommonError.notSignedIn }
        return user
    }

    /// The client's address for per-address limits; `X-Forwarded-For` only when configured to trust a
    /// proxy. An IPv6 client counts by its /64: one home or server holds a whole /64 to rotate through.
    var clientIP: String {
        let address = application.guildConfig.trustProxy
            ? Self.forwardedClient(headers["X-Forwarded-For"], proxies: application.guildConfig.trustedProxies) ?? remoteAddress?.ipAddress
            : remoteAddress?.ipAddress
        return address.map(Self.limitKey) ?? "unknown"
    }

    /// `2001:db8:1:2::/64` for any address in that /64; IPv4 (and IPv4-mapped IPv6) as the IPv4 address.
    static func limitKey(_ address: String) -> String {
        guard address.contains(":") else { return address }
        var raw = in6_addr()
        guard inet_pton(AF_INET6, address, &raw) == 1 else { return address }
        let bytes = withUnsafeBytes(of: &raw) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
            return bytes[12...].map(String.init).joined(separator: ".")
        }
        let groups = stride(from: 0, to: 8, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
        return groups.joined(separator: ":") + "::/64"
    }

    /// The address the outermost trusted proxy saw. Proxies append (nginx's `$proxy_add_x_forwarded_for`,
    /// HAProxy), so the entries on the left are whatever the client wrote: the client is the entry
    /// `proxies` places from the right, never further left than the list goes.
    static func forwardedClient(_ values: [String], proxies: Int) -> String? {
        let entries = values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !entries.isEmpty else { return nil }
        return entries[max(0, entries.count - max(1, proxies))]
    }
}

extension View {
    /// The rendered text, for a fragment kept in `Application.fragments`.
    var html: String { String(buffer: data) }
}

struct CurrentUserKey: StorageKey { typealias Value = User }
struct CurrentSessionKey: StorageKey { typealias Value = UserSession }
struct CSRFTokenKey: StorageKey { typealias Value = String }
struct IncomingFlashKey: StorageKey { typealias Value = Flash }
struct OutgoingFlashKey: StorageKey { typealias Value = Flash }
