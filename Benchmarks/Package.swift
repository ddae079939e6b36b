// swift-tools-version:6.1
import PackageDescription

// Conveyor's benchmarks, kept out of the main package so that `swift test` never builds them.
// Run from this folder: `swift package benchmark` (see ../BENCHMARKS.md).
let package = Package(
    name: "ConveyorBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Conveyor", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        // A 100,000-element job task on a fake Slurm: scheduler ticks, memory, batch calls (issue 14).
        .executableTarget(
            name: "bench-scale",
            dependencies: [
                .product(name: "ConveyorCore", package: "Conveyor"),
                .product(name: "ConveyorStore", package: "Conveyor"),
                .product(name: "ConveyorExecutors", package: "Conveyor"),
                .product(name: "ConveyorWorkflow", package: "Conveyor"),
            ]
        ),
        // The embedded data-management engine over a big catalog (issue 15): `swift run -c release bench-dm DB 1000000 100000`.
        .executableTarget(
            name: "bench-dm",
            dependencies: [
                .product(name: "ConveyorCore", package: "Conveyor"),
                .product(name: "ConveyorStore", package: "Conveyor"),
                .product(name: "ConveyorDataManagement", package: "Conveyor"),
            ]
        ),
        // The PromptReco handshake over a season (issue 16): `swift run -c release bench-prompt DB 10000 100 20`.
        .executableTarget(
            name: "bench-prompt",
            dependencies: [
                .product(name: "ConveyorCore", package: "Conveyor"),
                .product(name: "ConveyorStore", package: "Conveyor"),
                .product(name: "ConveyorDataTaking", package: "Conveyor"),
            ]
        ),
        // The live feeder over a season (issue 16): `swift run -c release bench-feeder DB 10000 100 20`.
        .executableTarget(
            name: "bench-feeder",
            dependencies: [
                .product(name: "ConveyorCore", package: "Conveyor"),
                .product(name: "ConveyorStore", package: "Conveyor"),
                .product(name: "ConveyorConditions", package: "Conveyor"),
                .product(name: "ConveyorDataTaking", package: "Conveyor"),
                .product(name: "ConveyorLive", package: "Conveyor"),
                .product(name: "ConveyorWorkflow", package: "Conveyor"),
            ]
        ),
        // Skims and stripping rounds (issue 19): `swift run -c release bench-skims [CATALOG_DB]`.
        .executableTarget(
            name: "bench-skims",
            dependencies: [
                "CatalogFixture",
                .product(name: "ConveyorCore", package: "Conveyor"),
                .product(name: "ConveyorStore", package: "Conveyor"),
                .product(name: "ConveyorRuns", package: "Conveyor"),
            ]
        ),
        // Floors below the store and the local executor (issue 21): `swift run -c release bench-floors FILE [POSTGRES_URL] [SECONDS]`.
        .executableTarget(
            name: "bench-floors",
            dependencies: [
                .product(name: "ConveyorCore", package: "Conveyor"),
                .product(name: "ConveyorStore", package: "Conveyor"),
                .product(name: "ConveyorConditions", package: "Conveyor"),
                .product(name: "ConveyorExecutors", package: "Conveyor"),
                .product(name: "ConveyorWorkflow", package: "Conveyor"),
            ]
        ),
        // MC production at scale (issue 20): `swift run -c release bench-mc DB [REQUESTS] [JOBS] [SUBMIT] [DISPATCH]`.
        .executableTarget(
            name: "bench-mc",
            dependencies: [
                .product(name: "ConveyorCore", package: "Conveyor"),
                .product(name: "ConveyorStore", package: "Conveyor"),
                .product(name: "ConveyorConditions", package: "Conveyor"),
                .product(name: "ConveyorWorkflow", package: "Conveyor"),
                .product(name: "ConveyorMonteCarlo", package: "Conveyor"),
                .product(name: "ConveyorRequests", package: "Conveyor"),
            ]
        ),
        // Reports accounted per second (issue 14): `swift run -c release bench-accountant DB JOBS [BATCH]`.
        .executableTarget(
            name: "bench-accountant",
            dependencies: [
                .product(name: "ConveyorCore", package: "Conveyor"),
                .product(name: "ConveyorStore", package: "Conveyor"),
                .product(name: "ConveyorRuns", package: "Conveyor"),
                .product(name: "ConveyorConditions", package: "Conveyor"),
                .product(name: "ConveyorExecutors", package: "Conveyor"),
                .product(name: "ConveyorJob", package: "Conveyor"),
                .product(name: "ConveyorWorkflow", package: "Conveyor"),
                .product(name: "ConveyorRequests", package: "Conveyor"),
            ]
        ),
        .executableTarget(
            name: "DemoBenchmarks",
            dependencies: [.product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/DemoBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "StoreBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ConveyorCore", package: "Conveyor"),
                .product(name: "ConveyorStore", package: "Conveyor"),
            ],
            path: "Benchmarks/StoreBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ConditionsBenchmarks",
            dependencies: [
                "ConditionsFixture",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ConveyorConditions", package: "Conveyor"),
            ],
            path: "Benchmarks/ConditionsBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "RunsBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ConveyorRuns", package: "Conveyor"),
                .product(name: "ConveyorStore", package: "Conveyor"),
            ],
            path: "Benchmarks/RunsBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .target(
            name: "ConditionsFixture",
            dependencies: [
                .product(name: "ConveyorCore", package: "Conveyor"),
                .product(name: "ConveyorStore", package: "Conveyor"),
                .product(name: "ConveyorConditions", package: "Conveyor"),
            ]
        ),
        .executableTarget(
            name: "WorkflowBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ConveyorCore", package: "Conveyor"),
                .product(name: "ConveyorExecutors", package: "Conveyor"),
                .product(name: "ConveyorStore", package: "Conveyor"),
                .product(name: "ConveyorWorkflow", package: "Conveyor"),
            ],
            path: "Benchmarks/WorkflowBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "CatalogBenchmarks",
            dependencies: [
                "CatalogFixture",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ConveyorRuns", package: "Conveyor"),
                .product(name: "ConveyorStore", package: "Conveyor"),
            ],
            path: "Benchmarks/CatalogBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .target(
            name: "CatalogFixture",
            dependencies: [
                .product(name: "ConveyorCore", package: "Conveyor"),
                .product(name: "ConveyorRuns", package: "Conveyor"),
                .product(name: "ConveyorStore", package: "Conveyor"),
            ]
        ),
        .executableTarget(
            name: "seed-catalog",
            dependencies: ["CatalogFixture", .product(name: "ConveyorStore", package: "Conveyor")]
        ),
        .executableTarget(
            name: "seed-conditions",
            dependencies: [
                "ConditionsFixture",
                .product(name: "ConveyorAccess", package: "Conveyor"),
                .product(name: "ConveyorStore", package: "Conveyor"),
            ]
        ),
    ]
)
