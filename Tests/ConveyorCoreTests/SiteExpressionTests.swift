import ConveyorCore
import Testing

@Suite("Site expressions and rule placement")
struct SiteExpressionTests {
    static let endpoints: [StorageEndpoint] = try! [
        StorageEndpoint(name: "KEK_DISK", site: "KEK", kind: .disk, prefix: "/k", attributes: ["country": "JP", "tier": "0"]),
        StorageEndpoint(name: "KEK_TAPE", site: "KEK", kind: .tape, prefix: "/kt", attributes: ["country": "JP", "archive": "true"], recallCommand: "true"),
        StorageEndpoint(name: "BNL_DISK", site: "BNL", kind: .disk, prefix: "/b", attributes: ["country": "US", "tier": "1"]),
        StorageEndpoint(name: "DESY_DISK", site: "DESY", kind: .disk, prefix: "/d", attributes: ["country": "DE", "tier": "1"]),
    ]

    @Test(arguments: [
        ("*", ["BNL_DISK", "DESY_DISK", "KEK_DISK", "KEK_TAPE"]),
        ("KEK_DISK", ["KEK_DISK"]),
        ("archive", ["KEK_TAPE"]),
        ("kind=disk", ["BNL_DISK", "DESY_DISK", "KEK_DISK"]),
        ("kind=disk\\country=JP", ["BNL_DISK", "DESY_DISK"]),
        ("country=JP|country=US", ["BNL_DISK", "KEK_DISK", "KEK_TAPE"]),
        ("kind=disk&(country=JP|country=US)", ["BNL_DISK", "KEK_DISK"]),
        ("tier>0", ["BNL_DISK", "DESY_DISK"]),
        ("tier<1", ["KEK_DISK"]),
        ("country!=JP", ["BNL_DISK", "DESY_DISK"]),
        ("site=CERN", []),
    ])
    func selects(expression: String, names: [String]) throws {
        #expect(try SiteExpression(expression).select(from: Self.endpoints).map(\.name) == names)
    }

    @Test(arguments: ["", "(", "kind=disk&", "|kind=disk", "kind=", "a&&b", "(a|b", "a)", "a b", "k=v=w"])
    func refusesMalformedExpressions(expression: String) {
        #expect(throws: ConveyorError.self) { try SiteExpression(expression) }
    }

    @Test func placementPrefersCopiesAlreadyThereThenFreeSpaceAndKeepsDatasetsTogether() throws {
        let files = [
            RulePlacement.File(id: 1, group: "a", size: 100, holders: ["BNL_DISK"]),
            RulePlacement.File(id: 2, group: "a", size: 100, holders: []),
            RulePlacement.File(id: 3, group: "b", size: 100, holders: []),
        ]
        let candidates = [
            RulePlacement.Candidate(name: "BNL_DISK", freeBytes: 1000), RulePlacement.Candidate(name: "DESY_DISK", freeBytes: 5000),
            RulePlacement.Candidate(name: "KEK_DISK", freeBytes: nil),
        ]
        let one = try RulePlacement.place(files, copies: 1, grouping: .dataset, on: candidates)
        #expect(one[1] == ["BNL_DISK"] && one[2] == ["BNL_DISK"], "dataset a stays where its first file is")
        #expect(one[3] == ["KEK_DISK"], "no quota ranks as the most free")
        let all = try RulePlacement.place(files, copies: 2, grouping: .all, on: candidates)
        #expect(Set(all.values) == [["BNL_DISK", "KEK_DISK"]])
        #expect(throws: ConveyorError.self) {
            try RulePlacement.place(files, copies: 1, grouping: .all, on: [RulePlacement.Candidate(name: "X", freeBytes: 250)])
        }
    }

    @Test func backoffIsBoundedAndSuspends() {
        let backoff = TransferBackoff()
        #expect(backoff.delay(afterFailures: 1) == 60)
        #expect(backoff.delay(afterFailures: 2) == 120)
        #expect(backoff.delay(afterFailures: 7) == 3600)
        #expect(backoff.delay(afterFailures: 8) == nil)
        #expect(backoff.boundSeconds == 60 + 120 + 240 + 480 + 960 + 1920 + 3600)
    }

    @Test(arguments: [("10TB", Int64(10_000_000_000_000)), ("1.5GiB", 1_610_612_736), ("512", 512), ("3 MB", 3_000_000)])
    func sizes(text: String, bytes: Int64) throws {
        #expect(try ByteCount.parse(text) == bytes)
    }

    @Test func agesAndBadSizes() throws {
        #expect(try AgeText.seconds("90d") == 7_776_000)
        #expect(try AgeText.seconds("12h") == 43_200)
        #expect(throws: ConveyorError.self) { try AgeText.seconds("-3d") }
        #expect(throws: ConveyorError.self) { try ByteCount.parse("lots") }
        #expect(throws: ConveyorError.self) { try ByteCount.parse("1e30TB") }
    }
}
