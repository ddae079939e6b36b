// swift-tools-version:6.1
import PackageDescription

/// Conveyor: data production for particle-physics experiments.
///
/// Layers, from the bottom up (a module may import only those below it):
/// - `ConveyorCore`: domain types and rules, no I/O.
/// - `ConveyorStore`: the only module that speaks SQL (SQLite and PostgreSQL through SQLKit).
/// - capabilities (`ConveyorAccess`, and later conditions, runs, workflow, …): rules + store.
/// - `ConveyorServer` (Hummingbird) and the `conveyor` command line: parse, call, render.
let package = Package(
    name: "Conveyor",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "conveyor", targets: ["conveyor"]),
        .executable(name: "conveyor-sim", targets: ["conveyor-sim"]),
        .executable(name: "conveyor-job", targets: ["conveyor-job"]),
        .library(name: "ConveyorCore", targets: ["ConveyorCore"]),
        .library(name: "ConveyorStore", targets: ["ConveyorStore"]),
        .library(name: "ConveyorAccess", targets: ["ConveyorAccess"]),
        .library(name: "ConveyorConditions", targets: ["ConveyorConditions"]),
        .library(name: "ConveyorRuns", targets: ["ConveyorRuns"]),
        .library(name: "ConveyorJob", targets: ["ConveyorJob"]),
        .library(name: "ConveyorExecutors", targets: ["ConveyorExecutors"]),
        .library(name: "ConveyorWorkflow", targets: ["ConveyorWorkflow"]),
        .library(name: "ConveyorRequests", targets: ["ConveyorRequests"]),
        .library(name: "ConveyorDataManagement", targets: ["ConveyorDataManagement"]),
        .library(name: "ConveyorDataTaking", targets: ["ConveyorDataTaking"]),
        .library(name: "ConveyorLive", targets: ["ConveyorLive"]),
        .library(name: "ConveyorPeople", targets: ["ConveyorPeople"]),
        .library(name: "ConveyorMonitoring", targets: ["ConveyorMonitoring"]),
        .library(name: "ConveyorSkims", targets: ["ConveyorSkims"]),
        .library(name: "ConveyorMonteCarlo", targets: ["ConveyorMonteCarlo"]),
        .library(name: "ConveyorServer", targets: ["ConveyorServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.0"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
        .package(url: "https://github.com/yaslab/CSV.swift.git", from: "2.5.0"),
    ],
    targets: [
        .target(
            name: "ConveyorCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CSV", package: "CSV.swift"),
            ]
        ),
        .target(
            name: "ConveyorStore",
            dependencies: [
                "ConveyorCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // Accounts, sessions and the lab directory (LDAP) people sign in with.
        .target(
            name: "ConveyorAccess",
            dependencies: [
                "ConveyorCore", "ConveyorStore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        .target(
            name: "ConveyorConditions",
            dependencies: ["ConveyorCore", "ConveyorStore", "ConveyorAccess"]
        ),
        .target(
            name: "ConveyorRuns",
            dependencies: ["ConveyorCore", "ConveyorStore", "ConveyorAccess"]
        ),
        // What runs on a worker node: no store, no server, so that it can be shipped with each job.
        .target(
            name: "ConveyorJob",
            dependencies: ["ConveyorCore"]
        ),
        .executableTarget(
            name: "conveyor-job",
            dependencies: ["ConveyorJob"]
        ),
        .target(
            name: "ConveyorExecutors",
            dependencies: [
                "ConveyorCore",
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]
        ),
        .target(
            name: "ConveyorWorkflow",
            dependencies: [
                "ConveyorCore",
                "ConveyorStore",
                "ConveyorAccess",
                "ConveyorRuns",
                "ConveyorConditions",
                "ConveyorExecutors",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // Storage endpoints, datasets, replication rules and the engines that carry them out.
        .target(
            name: "ConveyorDataManagement",
            dependencies: [
                "ConveyorCore", "ConveyorStore", "ConveyorExecutors", "ConveyorJob",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Data taking: the PromptReco handshake with the conditions (locks, FCSR, release, switches).
        .target(
            name: "ConveyorDataTaking",
            dependencies: ["ConveyorCore", "ConveyorStore", "ConveyorWorkflow", "ConveyorJob"]
        ),
        // People: the inbox, notifications (the outbox, SMTP, chat webhooks), notes, turnaround.
        .target(
            name: "ConveyorPeople",
            dependencies: [
                "ConveyorCore", "ConveyorStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Quality monitoring: histograms and scalars per run against references, trends, proposed flags.
        .target(
            name: "ConveyorMonitoring",
            dependencies: ["ConveyorCore", "ConveyorStore", "ConveyorAccess", "ConveyorRuns"]
        ),
        // Skims and stripping rounds: the selection registry, automatic tests, streams from overlaps, bookkeeping.
        .target(
            name: "ConveyorSkims",
            dependencies: ["ConveyorCore", "ConveyorStore", "ConveyorAccess", "ConveyorRuns", "ConveyorJob", "ConveyorRequests"]
        ),
        // MC production: campaigns, requests from the physics groups, test jobs, run-dependent productions.
        .target(
            name: "ConveyorMonteCarlo",
            dependencies: [
                "ConveyorCore", "ConveyorStore", "ConveyorAccess", "ConveyorRuns", "ConveyorConditions", "ConveyorWorkflow", "ConveyorJob", "ConveyorRequests",
            ]
        ),
        .target(
            name: "ConveyorLive",
            dependencies: [
                "ConveyorCore", "ConveyorStore", "ConveyorConditions", "ConveyorWorkflow", "ConveyorJob", "ConveyorDataTaking", "ConveyorRequests",
            ]
        ),
        .target(
            name: "ConveyorRequests",
            dependencies: [
                "ConveyorCore", "ConveyorStore", "ConveyorAccess", "ConveyorRuns", "ConveyorConditions", "ConveyorWorkflow", "ConveyorJob",
                "ConveyorDataManagement", "ConveyorDataTaking", "ConveyorMonitoring",
            ]
        ),
        .target(
            name: "ConveyorServer",
            dependencies: [
                "ConveyorCore",
                "ConveyorStore",
                "ConveyorAccess",
                "ConveyorConditions",
                "ConveyorRuns",
                "ConveyorWorkflow",
                "ConveyorRequests",
                "ConveyorDataManagement",
                "ConveyorDataTaking",
                "ConveyorLive",
                "ConveyorPeople",
                "ConveyorMonitoring",
                "ConveyorSkims",
                "ConveyorMonteCarlo",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The simulated experiment: its own program, linked to nothing of Conveyor's.
        .executableTarget(
            name: "conveyor-sim",
            dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "conveyor",
            dependencies: [
                // Built with conveyor so that `swift run conveyor demo` finds it beside itself; not linked.
                "conveyor-sim",
                "conveyor-job",
                "ConveyorCore",
                "ConveyorJob",
                "ConveyorExecutors",
                "ConveyorStore",
                "ConveyorAccess",
                "ConveyorConditions",
                "ConveyorRuns",
                "ConveyorWorkflow",
                "ConveyorRequests",
                "ConveyorDataManagement",
                "ConveyorDataTaking",
                "ConveyorLive",
                "ConveyorPeople",
                "ConveyorMonitoring",
                "ConveyorSkims",
                "ConveyorMonteCarlo",
                "ConveyorServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "ConveyorTestSupport",
            dependencies: [
                "ConveyorCore",
                "ConveyorStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            path: "Tests/ConveyorTestSupport"
        ),
        .testTarget(name: "ConveyorCoreTests", dependencies: ["ConveyorCore"]),
        .testTarget(
            name: "ConveyorRunsTests",
            dependencies: ["ConveyorCore", "ConveyorStore", "ConveyorRuns", "ConveyorTestSupport"]
        ),
        .testTarget(
            name: "ConveyorConditionsTests",
            dependencies: ["ConveyorCore", "ConveyorStore", "ConveyorAccess", "ConveyorConditions", "ConveyorTestSupport"]
        ),
        .testTarget(
            name: "ConveyorExecutorsTests",
            dependencies: ["ConveyorCore", "ConveyorExecutors", "ConveyorJob", "ConveyorTestSupport"]
        ),
        .testTarget(
            name: "ConveyorRequestsTests",
            dependencies: [
                "ConveyorCore", "ConveyorStore", "ConveyorRuns", "ConveyorConditions", "ConveyorWorkflow", "ConveyorRequests", "ConveyorTestSupport",
            ]
        ),
        .testTarget(
            name: "ConveyorWorkflowTests",
            dependencies: ["ConveyorCore", "ConveyorStore", "ConveyorAccess", "ConveyorExecutors", "ConveyorWorkflow", "ConveyorTestSupport"]
        ),
        .testTarget(
            name: "ConveyorDataManagementTests",
            dependencies: [
                "ConveyorCore", "ConveyorStore", "ConveyorDataManagement", "ConveyorJob", "ConveyorRuns", "ConveyorTestSupport",
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]
        ),
        .testTarget(
            name: "ConveyorDataTakingTests",
            dependencies: ["ConveyorCore", "ConveyorStore", "ConveyorAccess", "ConveyorConditions", "ConveyorDataTaking", "ConveyorTestSupport"]
        ),
        .testTarget(
            name: "ConveyorStoreTests",
            dependencies: ["ConveyorCore", "ConveyorStore", "ConveyorTestSupport", .product(name: "SQLKit", package: "sql-kit")]
        ),
        .testTarget(
            name: "ConveyorServerTests",
            dependencies: [
                "ConveyorCore", "ConveyorStore", "ConveyorAccess", "ConveyorConditions", "ConveyorRuns", "ConveyorServer", "ConveyorTestSupport",
                "ConveyorExecutors", "ConveyorWorkflow", "ConveyorRequests", "ConveyorDataTaking", "ConveyorPeople",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "ConveyorCLITests",
            dependencies: [
                "conveyor", "ConveyorTestSupport", "ConveyorCore", "ConveyorStore", "ConveyorJob", "ConveyorExecutors", "ConveyorWorkflow",
                "ConveyorRequests",
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]
        ),
    ]
)
