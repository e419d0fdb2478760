// swift-tools-version:6.2
// JourneyLab: test Customer Journey Map recommendations as hypotheses on real sales deals.
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "journeylab",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "journeylab", targets: ["journeylab"]),
        .library(name: "Stats", targets: ["Stats"]),
        .library(name: "Postgres", targets: ["Postgres"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
    ],
    targets: [
        // libpq, the PostgreSQL C client (apt: libpq-dev).
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        // glibc extensions Swift does not import (posix_spawn close-from / chdir).
        .target(name: "CSystemSupport"),
        // Safe libpq wrapper: connections, results, pool on its own threads (a task executor), COPY, migrations.
        .target(
            name: "Postgres",
            dependencies: [
                "CLibPQ",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Pure numerics: exact tests, intervals, Bayesian, power, sequential boundaries.
        .target(name: "Stats", swiftSettings: swiftSettings),
        // Domain: journeys, hypotheses, scheduler, events, evaluator, keys, embedded database.
        .target(
            name: "JourneyLab",
            dependencies: [
                "Postgres", "Stats", "CSystemSupport",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Renderers: text, Markdown, JSON, CSV, self-contained HTML with SVG charts.
        .target(name: "Reports", dependencies: ["JourneyLab", "Stats", "Postgres"], swiftSettings: swiftSettings),
        // The dealer HTTP API (Hummingbird 2).
        .target(
            name: "Server",
            dependencies: [
                "JourneyLab", "Reports", "Postgres",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
            ],
            swiftSettings: swiftSettings
        ),
        // The CLI: the only @main.
        .executableTarget(
            name: "journeylab",
            dependencies: [
                "JourneyLab", "Reports", "Server", "Stats", "Postgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "PostgresBenchmark", dependencies: ["Postgres", "Stats"], swiftSettings: swiftSettings),
        .executableTarget(name: "StatsBenchmark", dependencies: ["Stats"], swiftSettings: swiftSettings),

        // Shared test helpers: a fresh database per test on the throwaway cluster, running the built CLI.
        .target(name: "TestSupport", dependencies: ["JourneyLab", "Postgres"], path: "Tests/TestSupport"),

        .testTarget(name: "StatsTests", dependencies: ["Stats"], exclude: ["Fixtures"], swiftSettings: swiftSettings),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TestSupport", "JourneyLab"], swiftSettings: swiftSettings),
        .testTarget(
            name: "JourneyLabTests",
            dependencies: ["JourneyLab", "Postgres", "Stats", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ReportsTests", dependencies: ["Reports", "JourneyLab", "Postgres", "Stats", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "JourneyLab", "Postgres", "Reports", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "JourneyLab", "Postgres", "Stats", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
