// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "guild",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "guild", targets: ["guild"]),
        .library(name: "Guild", targets: ["Guild"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.0"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/leaf.git", from: "4.5.0"),
        .package(url: "https://github.com/vapor/leaf-kit.git", from: "1.14.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/apple/swift-openapi-generator.git", from: "1.14.0"),
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.0"),
        .package(url: "https://github.com/vapor/swift-openapi-vapor.git", from: "1.2.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/JohnSundell/Ink.git", from: "0.6.0"),
        .package(url: "https://github.com/yaslab/CSV.swift.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.21.0"),
        // AES-GCM for cover-plan runbooks (Vapor already depends on it; named here because Guild imports it).
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.0" ..< "5.0.0"),
        // Property-based tests for the discipline rules (streaks, strength).
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    ],
    targets: [
        // Pure rules with no Vapor import: fast to test.
        .target(name: "Validation", swiftSettings: strict),
        // The niche taxonomy, niche normalization, slugs, demo network generation.
        .target(name: "Taxonomy", dependencies: ["Validation"], swiftSettings: strict),
        // Codecs for the formats people bring and take away (roster CSV; vCard, iCalendar, Atom, OPML to come).
        .target(
            name: "Formats",
            dependencies: ["Validation", .product(name: "CSV", package: "CSV.swift")],
            swiftSettings: strict),
        // Only so landed migration 009 compiles byte for byte (it says `import Directory`); new code imports Taxonomy.
        .target(name: "Directory", dependencies: ["Taxonomy"], swiftSettings: strict),
        // Sentence embeddings (all-MiniLM-L6-v2) in process: tokenizer, safetensors, encoder. Optimised even
        // in debug builds: an unoptimised encoder takes seconds a sentence, and the tests embed hundreds.
        .target(name: "Embeddings", swiftSettings: strict + [.unsafeFlags(["-O"])]),
        // Need → members: profile pieces and ranking over an in-memory snapshot of their vectors.
        .target(name: "Matching", swiftSettings: strict + [.unsafeFlags(["-O"])]),
        // Disciplines: days, streaks, strength and their charts, with no database and no Vapor.
        .target(name: "Habits", swiftSettings: strict),
        // The only Markdown renderer for user text.
        .target(name: "SafeMarkdown", dependencies: [.product(name: "Ink", package: "Ink")], swiftSettings: strict),
        .target(
            name: "Guild",
            dependencies: [
                "Validation",
                "Taxonomy",
                "Formats",
                "Habits",
                "Directory",
                "SafeMarkdown",
                "Embeddings",
                // Migration 011's frozen copy of SafeMarkdown renders with Ink itself.
                .product(name: "Ink", package: "Ink"),
                "Matching",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "LeafKit", package: "leaf-kit"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIVapor", package: "swift-openapi-vapor"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict,
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        .executableTarget(
            name: "guild", dependencies: ["Guild", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")], swiftSettings: strict),
        .testTarget(name: "ValidationTests", dependencies: ["Validation"], swiftSettings: strict),
        .testTarget(name: "TaxonomyTests", dependencies: ["Taxonomy"], swiftSettings: strict),
        .testTarget(name: "FormatsTests", dependencies: ["Formats"], swiftSettings: strict),
        .testTarget(name: "EmbeddingsTests", dependencies: ["Embeddings"], resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(name: "MatchingTests", dependencies: ["Matching"], swiftSettings: strict),
        .testTarget(
            name: "HabitsTests",
            dependencies: ["Habits", .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: strict),
        .testTarget(name: "SafeMarkdownTests", dependencies: ["SafeMarkdown"], swiftSettings: strict),
        .testTarget(
            name: "GuildTests",
            dependencies: ["Guild", .product(name: "VaporTesting", package: "vapor"),
                           .product(name: "AsyncHTTPClient", package: "async-http-client")],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)

var strict: [SwiftSetting] { [.enableUpcomingFeature("ExistentialAny")] }
