import ConveyorCore
import ConveyorTestSupport
import Foundation
import Testing

/// Jobs that read their conditions over HTTP, with a job token, through a real Squid that
/// `scripts/test` starts (`CONVEYOR_TEST_SQUID_PORT`, its access log in
/// `CONVEYOR_TEST_SQUID_LOG`): the repeated payload look-ups of a farm's jobs are answered by the
/// cache, and a tag that changed is never served stale (its answers are revalidated by ETag).
@Suite("Conditions over HTTP through a cache", .serialized, .enabled(if: SquidCache.wanted))
struct ConditionsOverHTTPTests {
    @Test func jobsFetchPinnedPayloadsThroughSquidAndChangedTagsAreNeverStale() async throws {
        let squid = try #require(SquidCache.port, "CONVEYOR_TEST_SQUID_PORT is not set: scripts/test starts Squid")
        let accessLog = try #require(SquidCache.log)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fixture = try RequestFixture(directory: directory, database: directory.file("c.sqlite"), runs: [1, 2])
        try await fixture.prepare()
        let port = try CommandLineTests.freePort()
        try await fixture.ok(
            "pool", "add", "local", "--executor", "local", "--slots", "4", "--option", "conditions=http",
            "--option", "conditions_url=http://127.0.0.1:\(port)", "--option", "conditions_proxy=http://127.0.0.1:\(squid)")
        try fixture.writeRequest(name: "u1", campaign: "unofficial", calibrations: [], outputs: "[mdst]", skims: "[]")
        try await fixture.ok("request", "submit", "request.yaml")
        let viewer = try await fixture.ok("user", "add", "vic", "--role", "viewer")
        let token = try #require(viewer.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("cvy_") }.map(String.init), "\(viewer)")
        let before = (try? String(contentsOfFile: accessLog, encoding: .utf8))?.count ?? 0

        let outcome = try await fixture.conveyor.runUntil(["serve", "--port", String(port), "--no-scheduler"], readyWhen: { $0.contains("Conveyor serving") }) {
            try await fixture.schedule()
            let states = try await fixture.stepStates("u1")
            #expect(states["mdst-all-events"] == "succeeded", "\(states)")
            #expect(try await fixture.catalogOutputs().count == 10)

            // A tag that changes: its answers are no-cache, so Squid asks again with the ETag and gets the new one.
            let resolve = "http://127.0.0.1:\(port)/api/v1/resolve?gt=moving&exp=8&run=2&allow_open=true"
            try await fixture.ok("gt", "create", "moving", "--type", "DATA")
            try "first".write(toFile: directory.file("first.txt"), atomically: true, encoding: .utf8)
            try await fixture.ok("payload", "upload", "Gain", "first.txt", "--gt", "moving", "--iov", "8,1,8,1")
            let first = try SquidCache.get(resolve, proxy: squid, token: token)
            try "second".write(toFile: directory.file("second.txt"), atomically: true, encoding: .utf8)
            try await fixture.ok("payload", "upload", "Gain", "second.txt", "--gt", "moving", "--iov", "8,2,-1,-1")
            // The server itself trusts its lookup index for a second when another process (this command line) changed the tag.
            try await Task.sleep(for: .milliseconds(1_200))
            let second = try SquidCache.get(resolve, proxy: squid, token: token)
            #expect(first.contains("\"payloads\":[]") && second.contains("\"revision\":2"), "stale through the cache: \(first) then \(second)")
        }
        #expect(outcome.exitCode == 0, "\(outcome.stderr)")

        // Every mDST job fetched the same two payload revisions; the cache answered the repeats.
        let text = String((try String(contentsOfFile: accessLog, encoding: .utf8)).dropFirst(before))
        let fetches = text.split(separator: "\n").filter { $0.contains("/api/v1/payloads/") }
        let hits = fetches.filter { $0.contains("HIT/") }
        #expect(fetches.count >= 10, "\(fetches.count) payload fetches through Squid")
        // Up to 4 jobs (the pool's slots) may miss together before the first answer is cached.
        #expect(!hits.isEmpty && hits.count >= fetches.count - 2 * 4, "cache hits \(hits.count) of \(fetches.count):\n\(fetches.joined(separator: "\n"))")
        // And what the jobs read is what the tags hold.
        let root = directory.file("conveyor-jobs")
        let fetched = try FileManager.default.subpathsOfDirectory(atPath: root).filter { $0.hasSuffix("conditions/BeamSpot") }
        #expect(!fetched.isEmpty)
        for path in fetched { #expect(try String(contentsOfFile: root + "/" + path, encoding: .utf8) == "base constants") }
    }
}

enum SquidCache {
    static let environment = ProcessInfo.processInfo.environment
    static let port = environment["CONVEYOR_TEST_SQUID_PORT"]
    static let log = environment["CONVEYOR_TEST_SQUID_LOG"]
    /// Without a cache the suite is skipped, except in CI, where it must fail.
    static let wanted = port != nil || environment["CI"] == "true"

    /// A GET through the cache, as a job's curl does.
    static func get(_ url: String, proxy: String, token: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["curl", "-sS", "--fail", "--proxy", "http://127.0.0.1:\(proxy)", "-H", "Authorization: Bearer \(token)", url]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ConveyorError.unavailable("curl \(url) failed with \(process.terminationStatus)") }
        return String(decoding: data, as: UTF8.self)
    }
}
