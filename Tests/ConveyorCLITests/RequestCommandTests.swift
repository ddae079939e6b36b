import ConveyorTestSupport
import Foundation
import Testing

@Suite("Request commands")
struct RequestCommandTests {
    @Test func validateNamesTheKeyPathAndSchemaIsJSON() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let conveyor = CommandLineRunner(workingDirectory: directory.path)
        try """
        name: reprocess-e8
        campaign: proc9
        runs: "8:100-250"
        release: release-09-00-00
        input: {level: raw, selection: all}
        outputs: [mdst]
        global_tags: [proc9_calib, online]
        prompt_tag: proc9
        staging_tag: staging_proc9
        sites: [{name: KEKCC, pool: local}]
        calibrations:
          - {name: beamspot, command: basf2 beamspot.py, expert: ip-expert}
        output_base: /belle/Data
        commands: {reconstruction: basf2 reco.py}
        """.write(toFile: directory.file("request.yaml"), atomically: true, encoding: .utf8)
        let valid = try await conveyor.run("request", "validate", "request.yaml")
        #expect(
            valid.stdout
                == "request.yaml: a valid proc9 request 'reprocess-e8' over runs 8:100-250: 1 calibration(s), outputs mdst, tags proc9_calib > online\n",
            "\(valid.stderr)")
        let against = try await conveyor.run("request", "validate", "request.yaml", "--installation")
        #expect(against.exitCode == 1)
        #expect(
            against.stderr.hasPrefix("conveyor: request.yaml: runs: no run of 8:100-250 is registered; sites[0].pool: no pool 'local'"), "\(against.stderr)")
        try "name: x\ncampaign: prompt\n".write(toFile: directory.file("bad.yaml"), atomically: true, encoding: .utf8)
        let bad = try await conveyor.run("request", "validate", "bad.yaml")
        #expect(bad.exitCode == 1)
        #expect(bad.stderr == "conveyor: bad.yaml: release: is required (the software release, recorded on every output)\n")
        let estimate = try await conveyor.run("request", "estimate", "request.yaml", "--lumi", "1/fb", "--slots", "400,1000")
        #expect(estimate.stdout.contains("cdst-calibration-skims  job          11000     1.15 d      0.46 d"), "\(estimate.stdout)\(estimate.stderr)")
        #expect(estimate.stdout.contains("critical path: staging → local-calibrations → raw-calibrations"))
        let schema = try await conveyor.run("request", "schema")
        let parsed = try JSONSerialization.jsonObject(with: Data(schema.stdout.utf8)) as? [String: Any]
        #expect(parsed?["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
    }
}
