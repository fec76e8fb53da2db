// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "leadbridge",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "leadbridge", targets: ["leadbridge"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.0"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/leaf.git", from: "4.5.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.0"),
    ],
    targets: [
        .executableTarget(
            name: "leadbridge",
            dependencies: ["LeadBridge", "LeadBridgeTools"]
        ),
        .target(
            // Commands built on the provider fakes, linked beside the server, never inside it.
            name: "LeadBridgeTools",
            dependencies: ["LeadBridge", "ProviderSandbox", .product(name: "Vapor", package: "vapor")]
        ),
        .target(
            name: "LeadBridge",
            dependencies: [
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                "SuiteDashKit",
                "RingCentralKit",
                "MailKit",
            ]
        ),
        .target(
            // SMTP and MIME on SwiftNIO: no SMTP package resolves here, and no Vapor is needed.
            name: "MailKit",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .target(
            name: "RingCentralKit",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "SuiteDashKit",
            dependencies: [.product(name: "AsyncHTTPClient", package: "async-http-client")]
        ),
        .target(
            name: "ProviderSandbox",
            dependencies: [
                .product(name: "Vapor", package: "vapor"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "SuiteDashKitTests",
            dependencies: ["SuiteDashKit", "ProviderSandbox"]
        ),
        .testTarget(
            name: "MailKitTests",
            dependencies: ["MailKit"]
        ),
        .testTarget(
            name: "RingCentralKitTests",
            dependencies: ["RingCentralKit", "ProviderSandbox"]
        ),
        .testTarget(
            name: "ProviderSandboxTests",
            dependencies: [
                "ProviderSandbox",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Vapor", package: "vapor"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "LeadBridgeTests",
            dependencies: [
                "LeadBridge",
                "SuiteDashKit",
                "RingCentralKit",
                "MailKit",
                "ProviderSandbox",
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
            ]
        ),
    ]
)
