import AsyncHTTPClient
import Formats
import Foundation
import NIOCore
import NIOHTTP1
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Fetches a recommended blog's feed without letting a recommendation reach inside the network:
/// only http(s); every address a host resolves to must be public (no private, loopback, link-local,
/// carrier-grade NAT, multicast or reserved ranges, IPv4 or IPv6, mapped or NAT64 forms included)
/// unless `allowPrivate`; redirects are followed by hand, at most five, each hop checked the same way;
/// a deadline on the whole fetch; at most 2 MB read; conditional GET with the last ETag and
/// Last-Modified. Left: a host that resolves to a public address when checked and a private one a
/// moment later (DNS rebinding) could still be reached once; the response is then only parsed as a feed.
struct FeedFetcher: Sendable {
    enum Outcome: Sendable, Equatable {
        case fetched(FeedDocument, etag: String?, lastModified: String?)
        case notModified
        case failed(String)
    }

    let client: HTTPClient
    var allowPrivate = false
    var deadline: TimeAmount = .seconds(15)
    var maxBytes = 2 * 1_048_576
    var maxRedirects = 5
    var userAgent = "Guild feed reader"

    func fetch(_ address: String, etag: String? = nil, lastModified: String? = nil) async -> Outcome {
        var url = address
        let started = NIODeadline.now()
        for hop in 0...maxRedirects {
            do {
                guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(), ["http", "https"].contains(scheme),
                      let host = parts.host, !host.isEmpty else { return .failed("not an http(s) address: \(url.prefix(200))") }
                if !allowPrivate {
                    let port = parts.port ?? (scheme == "https" ? 443 : 80)
                    if let refused = try await Self.refusal(host: host, port: port) { return .failed(refused) }
                    // A public host's other ports are its mail, database and admin services, not its feed.
                    guard Self.allowedPorts.contains(port) else { return .failed("only ports 80 and 443 are fetched, not \(port)") }
                }
                var request = HTTPClientRequest(url: url)
                request.headers.add(name: "User-Agent", value: userAgent)
                request.headers.add(name: "Accept", value: "application/atom+xml, application/rss+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1")
                if hop == 0 {
                    if let etag { request.headers.add(name: "If-None-Match", value: etag) }
                    if let lastModified { request.headers.add(name: "If-Modified-Since", value: lastModified) }
                }
                let remaining = deadline - (NIODeadline.now() - started)
                guard remaining > .zero else { return .failed("timed out") }
                let response = try await client.execute(request, timeout: remaining)
                switch response.status.code {
                case 304:
                    return .notModified
                case 301, 302, 303, 307, 308:
                    guard let location = response.headers.first(name: "Location"),
                          let next = URL(string: location, relativeTo: URL(string: url))?.absoluteURL.absoluteString else {
                        return .failed("a redirect without a Location")
                    }
                    url = next
                    continue
                case 200:
                    var body = ByteBuffer()
                    for try await chunk in response.body {
                        guard body.readableBytes + chunk.readableBytes <= maxBytes else {
                            return .failed("larger than \(maxBytes / 1_048_576) MB")
                        }
                        var chunk = chunk
                        body.writeBuffer(&chunk)
                    }
                    do {
                        let document = try FeedDocument.parse(Data(body.readableBytesView))
                        return .fetched(document, etag: response.headers.first(name: "ETag"),
                                        lastModified: response.headers.first(name: "Last-Modified"))
                    } catch let error as FeedDocument.ParseError {
                        return .failed(error.description)
                    }
                default:
                    return .failed("HTTP \(response.status.code)")
                }
            } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
                return .failed("timed out")
            } catch {
                return .failed("could not fetch: \(String(describing: error).prefix(200))")
            }
        }
        return .failed("more than \(maxRedirects) redirects")
    }

    static let allowedPorts: Set<Int> = [80, 443]

    /// Why this host may not be fetched (it resolves to an address that is not public), or nil.
    static func refusal(host: String, port: Int) async throws -> String? {
        let addresses = try await resolve(host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port: port)
        guard !addresses.isEmpty else { return "\(host) does not resolve" }
        for address in addresses where !isPublic(address) {
            return "\(host) resolves to a private or reserved address; feeds are fetched from the public internet only"
        }
        return nil
    }

    /// Every address of a host (IPv4 as 4 bytes, IPv6 as 16), from the system resolver, off the event loop.
    static func resolve(_ host: String, port: Int) async throws -> [[UInt8]] {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                var hints = addrinfo()
                hints.ai_family = AF_UNSPEC
                #if canImport(Glibc)
                hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
                #else
                hints.ai_socktype = SOCK_STREAM
                #endif
                var result: UnsafeMutablePointer<addrinfo>?
                guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else {
                    continuation.resume(returning: [])
                    return
                }
                defer { freeaddrinfo(first) }
                var addresses: [[UInt8]] = []
                var node: UnsafeMutablePointer<addrinfo>? = first
                while let current = node {
                    if let address = current.pointee.ai_addr {
                        switch Int32(address.pointee.sa_family) {
                        case AF_INET:
                            address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                                var raw = pointer.pointee.sin_addr
                                addresses.append(withUnsafeBytes(of: &raw) { Array($0) })
                            }
                        case AF_INET6:
                            address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                                var raw = pointer.pointee.sin6_addr
                                addresses.append(withUnsafeBytes(of: &raw) { Array($0) })
                            }
                        default: break
                        }
                    }
                    node = current.pointee.ai_next
                }
                continuation.resume(returning: addresses)
            }
        }
    }

    /// Whether an address is on the public internet (RFC 6890's special-purpose ranges are not).
    static func isPublic(_ address: [UInt8]) -> Bool {
        if address.count == 4 { return isPublicV4(address) }
        guard address.count == 16 else { return false }
        // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d): judge the IPv4 inside.
        if address[0..<10].allSatisfy({ $0 == 0 }) && address[10] == 0xFF && address[11] == 0xFF { return isPublicV4(Array(address[12...])) }
        if address[0..<12].allSatisfy({ $0 == 0 }) { return false }  // ::, ::1 and the deprecated compatible form
        if address[0..<12] == [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0] { return isPublicV4(Array(address[12...])) }
        // IPv4-translated (::ffff:0:a.b.c.d, RFC 2765): judge the IPv4 inside.
        if address[0..<8].allSatisfy({ $0 == 0 }) && address[8] == 0xFF && address[9] == 0xFF && address[10] == 0 && address[11] == 0 {
            return isPublicV4(Array(address[12...]))
        }
        let first = address[0], second = address[1]
        if address[0..<6] == [0x00, 0x64, 0xFF, 0x9B, 0x00, 0x01] { return false }  // 64:ff9b:1::/48 local-use NAT64 (RFC 8215)
        if first == 0x20 && second == 0x01 && address[2] == 0 && address[3] == 0 { return false }  // 2001::/32 Teredo
        if first & 0xFE == 0xFC { return false }  // fc00::/7 unique local
        if first == 0xFE && second & 0xC0 == 0x80 { return false }  // fe80::/10 link-local
        if first == 0xFE && second & 0xC0 == 0xC0 { return false }  // fec0::/10 site-local (deprecated)
        if first == 0xFF { return false }  // multicast
        if first == 0x20 && second == 0x01 && address[2] == 0x0D && address[3] == 0xB8 { return false }  // 2001:db8::/32 documentation
        if first == 0x20 && second == 0x02 { return isPublicV4(Array(address[2..<6])) }  // 6to4 embeds an IPv4
        return true
    }

    static func isPublicV4(_ a: [UInt8]) -> Bool {
        switch (a[0], a[1]) {
        case (0, _), (10, _), (127, _), (169, 254), (192, 168): return false
        case (100, 64...127): return false  // carrier-grade NAT
        case (172, 16...31): return false
        case (192, 0) where a[2] == 0 || a[2] == 2: return false  // IETF protocol assignments, TEST-NET-1
        case (192, 88) where a[2] == 99: return false  // 6to4 relay anycast (deprecated, RFC 7526)
        case (198, 18...19): return false  // benchmarking
        case (198, 51) where a[2] == 100, (203, 0) where a[2] == 113: return false  // TEST-NET-2 and 3
        case (224...255, _): return false  // multicast, reserved, broadcast
        default: return true
        }
    }
}
