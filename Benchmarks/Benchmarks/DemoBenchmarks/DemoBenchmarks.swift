import Benchmark
import Foundation

/// Issue 7's target: `conveyor demo` with its defaults (20 runs × 20,000 events) finishes in under
/// 5 minutes on the 2-core machine. It runs the release programs of the main package
/// (`swift build -c release` in the repository first; or `$CONVEYOR_DEMO_BINARY`) in a fresh folder,
/// as a user would, and measures the whole wall time: simulation, registration, calibration, sign-offs,
/// processing and the summary.
let benchmarks: @Sendable () -> Void = {
    Benchmark("conveyor demo, 20 runs × 20,000 events (defaults)",
              configuration: .init(metrics: [.wallClock], timeUnits: .seconds, warmupIterations: 0, maxDuration: .seconds(600), maxIterations: 3)) { benchmark in
        let binary = ProcessInfo.processInfo.environment["CONVEYOR_DEMO_BINARY"]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../.build/release/conveyor").standardizedFileURL.path
        precondition(FileManager.default.isExecutableFile(atPath: binary), "build the release programs first: swift build -c release (looked for \(binary))")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("conveyor-demo-bench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["demo", "--dir", folder]
        process.standardOutput = FileHandle.nullDevice
        // The benchmark tool's malloc interposer is not for the demo's many job processes.
        var environment = ProcessInfo.processInfo.environment
        environment["LD_PRELOAD"] = nil
        process.environment = environment
        benchmark.startMeasurement()
        try process.run()
        process.waitUntilExit()
        benchmark.stopMeasurement()
        precondition(process.terminationStatus == 0, "conveyor demo failed")
    }
}
