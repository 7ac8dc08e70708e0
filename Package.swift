// swift-tools-version:6.2

import PackageDescription

let package = Package(
    name: "junkwatch",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "junkwatch", targets: ["junkwatch"]),
        .library(name: "SystemdJournal", targets: ["SystemdJournal"]),
        .library(name: "JunkwatchCore", targets: ["JunkwatchCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CSystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),
        .target(
            name: "SystemdJournal",
            dependencies: ["CSystemd"]
        ),
        .target(
            name: "JunkwatchCore",
            dependencies: [
                "SystemdJournal",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "junkwatch",
            dependencies: [
                "JunkwatchCore",
                "SystemdJournal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        // The bare reader the benchmark measures junkwatch against: MESSAGE and cursor of
        // every matching entry, nothing else.
        .executableTarget(
            name: "journal-read-bench",
            dependencies: ["SystemdJournal"]
        ),
        // Real journals and gates on real servers, shared by the test targets.
        .target(
            name: "TestSupport",
            dependencies: ["SystemdJournal", .product(name: "Subprocess", package: "swift-subprocess")],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "SystemdJournalTests",
            dependencies: ["SystemdJournal", "TestSupport"]
        ),
        .testTarget(
            name: "JunkwatchCoreTests",
            dependencies: [
                "JunkwatchCore",
                "SystemdJournal",
                "TestSupport",
                // The ledger's tests look into its database: integrity checks, a newer schema.
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "junkwatchTests",
            dependencies: [
                "junkwatch",
                "JunkwatchCore",
                "SystemdJournal",
                "TestSupport",
                .product(name: "Subprocess", package: "swift-subprocess"),
                // ReadmeTests parses README's command lines with junkwatch's own parser.
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

for target in package.targets where [.executable, .test, .regular].contains(target.type) {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
