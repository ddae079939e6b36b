import ConveyorTestSupport
import Foundation
import Testing

/// The conditions commands as a calibration expert and a manager run them.
@Suite("Conditions commands")
struct ConditionsCommandTests {
    @Test(arguments: TestBackend.available)
    func theCalibrationLoopFromTheCommandLine(backend: TestBackend) async throws {
        try await backend.withFreshLocation { location in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let conveyor = CommandLineRunner(workingDirectory: directory.path, environment: ["CONVEYOR_DB": CommandLineTests.url(location)])
            for (name, text) in [("b1", "beam 1"), ("b2", "beam 2"), ("c1", "cdc 1")] {
                try text.write(toFile: directory.file(name), atomically: true, encoding: .utf8)
            }
            func ok(_ arguments: String...) async throws -> String {
                let result = try await conveyor.run(arguments)
                #expect(result.exitCode == 0, "\(arguments.joined(separator: " ")): \(result.stderr)")
                return result.stdout
            }
            _ = try await ok("gt", "create", "prompt", "--type", "DATA")
            _ = try await ok("payload", "upload", "BeamSpot", "b1", "--gt", "prompt", "--iov", "0,0,-1,-1")
            _ = try await ok("payload", "upload", "CDCTimeZeros", "c1", "--gt", "prompt", "--iov", "0,0,-1,-1")
            _ = try await ok("gt", "set-state", "prompt", "RUNNING")
            _ = try await ok("gt", "create", "staging")
            _ = try await ok("payload", "upload", "BeamSpot", "b2", "--gt", "staging", "--iov", "0,0,8,99")

            let failing = try await conveyor.run("gt", "check", "staging")
            #expect(failing.exitCode == 1)
            #expect(failing.stdout == "BeamSpot: last IoV 0,0,8,99 (rev 2) is not open; it should end -1,-1\n")
            _ = try await ok("iov", "remove", "staging", "--name", "BeamSpot", "--iov", "0,0,8,99")
            _ = try await ok("payload", "upload", "BeamSpot", "b2", "--gt", "staging", "--iov", "0,0,-1,-1")
            #expect(try await ok("gt", "check", "staging").contains("passes"))
            _ = try await ok("gt", "set-state", "staging", "TESTING")
            _ = try await ok("gt", "set-state", "staging", "VALIDATED")

            let early = try await conveyor.run("gt", "running-update", "prompt", "staging", "--valid-from", "0:0")
            #expect(early.exitCode == 1)
            #expect(early.stderr.contains("earliest acceptable valid_from is 0:1"))
            let dry = try await ok("gt", "running-update", "prompt", "staging", "--valid-from", "8:100", "--dry-run")
            #expect(dry.contains("close   BeamSpot rev 1: 0,0,-1,-1 -> 0,0,8,99"))
            #expect(dry.contains("nothing written"))
            _ = try await ok("gt", "running-update", "prompt", "staging", "--valid-from", "8:100")

            let resolved = try await ok("payload", "resolve", "--gt", "prompt", "--run", "8:100", "--json")
            let listing = try JSONDecoder().decode(ResolvedShape.self, from: Data(resolved.utf8))
            #expect(listing.payloads.map { "\($0.name) \($0.revision)" } == ["BeamSpot 2", "CDCTimeZeros 1"])

            // An exported copy answers identically with no database.
            _ = try await ok("gt", "export", "prompt", "offline")
            let local = try await CommandLineRunner(workingDirectory: directory.path).run(
                "payload", "resolve", "--gt", "prompt", "--run", "8:100", "--json", "--local", "offline")
            #expect(local.exitCode == 0, "\(local.stderr)")
            #expect(local.stdout == resolved)
            _ = try await ok("gt", "export", "prompt", "text", "--format", "text")
            let text = try String(contentsOfFile: directory.file("text/database.txt"), encoding: .utf8)
            #expect(text == "dbstore/BeamSpot 1 0,0,8,99\ndbstore/BeamSpot 2 8,100,-1,-1\ndbstore/CDCTimeZeros 1 0,0,-1,-1\n")
            #expect(FileManager.default.contents(atPath: directory.file("text/dbstore_BeamSpot_rev_2.root")) == Data("beam 2".utf8))

            let download = try await conveyor.run("payload", "download", "BeamSpot", "2")
            #expect(download.stdout == "beam 2")
        }
    }

    @Test(arguments: [
        (["gt", "show", "nope"], "no global tag named 'nope'"),
        (["payload", "upload", "A", "missing.file", "--gt", "t", "--iov", "0,0,-1,-1"], "cannot read 'missing.file'"),
        (["payload", "resolve", "--gt", "t", "--run", "8-1"], "is not a run"),
        (["gt", "set-state", "t", "PUBLISHED"], "cannot be undone"),
        (["gt", "set-state", "t", "SHIPPED"], "unknown global tag state"),
        (["gt", "export", "t", "x", "--format", "zip"], "unknown export format"),
        (["iov", "list", "t", "--as-of", "tomorrow"], "is not a timestamp"),
    ])
    func badInputGetsOneLine(arguments: [String], reason: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let conveyor = CommandLineRunner(workingDirectory: directory.path)
        _ = try await conveyor.run("gt", "create", "t")
        let result = try await conveyor.run(arguments)
        #expect(result.exitCode == 1, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains(reason), "\(arguments): \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func editingAPublishedTagIsRefused() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let conveyor = CommandLineRunner(workingDirectory: directory.path)
        try "x".write(toFile: directory.file("x"), atomically: true, encoding: .utf8)
        for step in [
            ["gt", "create", "t"], ["payload", "upload", "A", "x", "--gt", "t", "--iov", "0,0,-1,-1"], ["gt", "set-state", "t", "TESTING"],
            ["gt", "set-state", "t", "VALIDATED"], ["gt", "set-state", "t", "PUBLISHED", "--confirm", "t"],
        ] {
            let result = try await conveyor.run(step)
            #expect(result.exitCode == 0, "\(step): \(result.stderr)")
        }
        let edit = try await conveyor.run("payload", "upload", "B", "x", "--gt", "t", "--iov", "0,0,-1,-1")
        #expect(edit.exitCode == 1)
        #expect(edit.stderr == "conveyor: cannot upload into it: tag 't' is PUBLISHED and immutable (only OPEN tags are edited)\n")
    }
}

struct ResolvedShape: Decodable {
    struct Entry: Decodable { let name: String; let revision: Int }
    let payloads: [Entry]
}
