import ConveyorCore
import ConveyorDataManagement
import ConveyorJob
import ConveyorStore
import ConveyorTestSupport
import Foundation
import Testing

/// One suite, every engine on every database backend: rules stage from tape, replicate, follow
/// their datasets, count usage and end; bad input refuses the whole rule. What only the
/// embedded engine does (its copy commands, time limits, retries, reaper) follows.
@Suite("Data management")
struct DataManagementSuite {
    @Test(arguments: TestBackend.available, DataEngine.available)
    func aRuleRecallsFromTapeCopiesToDiskAndVerifies(backend: TestBackend, engine: DataEngine) async throws {
        try await engine.run(on: backend) { store in
            let sites = try DataSites(store: store, on: engine)
            defer { sites.directory.remove() }
            try await sites.standard()
            let lfns = try await sites.rawFiles(3, dataset: "bucket1.raw")
            let rule = try await sites.dm.addRule(
                .init(target: .dataset(sites.n("bucket1.raw")), copies: 1, expression: "site=\(sites.n("KEK"))&kind=disk"), by: DataSites.manager)
            #expect(rule.state == .REPLICATING)
            #expect(rule.locksReplicating == 3)
            let cycle = try await sites.settle()
            if engine == .embedded { #expect(cycle.copiesMade == 3) }
            let done = try await sites.dm.rule(rule.id)
            #expect(done.rule.state == .OK, "\(done)")
            #expect(done.rule.locksOK == 3 && done.waiting.isEmpty)
            for lfn in lfns {
                let disk = try #require(try await sites.replicas(lfn).first { $0.site == sites.n("KEK") && $0.storage == .disk })
                #expect(disk.state == .available)
                #expect(try FileChecksums(ofFileAt: disk.path).adler32 == (try await store.read { try await $0.file(lfn: lfn) })?.adler32)
            }
            // A second rule on data already there needs no copy.
            let again = try await sites.dm.addRule(.init(target: .file(lfns[0]), copies: 1, expression: sites.n("KEK_DISK")), by: DataSites.manager)
            #expect(again.state == .OK && again.locksOK == 1, "\(again)")
        }
    }

    @Test(arguments: TestBackend.available, DataEngine.available)
    func twoCopiesGoToTwoSitesAndLaterFilesFollowTheirDataset(backend: TestBackend, engine: DataEngine) async throws {
        try await engine.run(on: backend) { store in
            let sites = try DataSites(store: store, on: engine)
            defer { sites.directory.remove() }
            try await sites.standard()
            try await sites.rawFiles(2, dataset: "b.raw")
            let rule = try await sites.dm.addRule(
                .init(target: .dataset(sites.n("b.raw")), copies: 2, expression: sites.scoped("kind=disk")), by: DataSites.manager)
            #expect(rule.locksReplicating == 4)
            try await sites.settle()
            #expect(try await sites.dm.rule(rule.id).rule.state == .OK)
            // Files attached later are placed by the next cycle, on the same endpoints.
            let later = try await sites.rawFiles(2, run: 2)
            _ = try await sites.dm.attach(later, to: sites.n("b.raw"), by: DataSites.manager)
            try await sites.settle()
            let shown = try await sites.dm.rule(rule.id).rule
            #expect(shown.state == .OK && shown.locksOK == 8, "\(shown)")
            for lfn in later {
                #expect(Set(try await sites.replicas(lfn).filter { $0.storage == .disk }.map(\.site)) == [sites.n("KEK"), sites.n("BNL")])
            }
        }
    }

    @Test(arguments: TestBackend.available, DataEngine.available)
    func badRulesAreRefusedWholeWithOneLine(backend: TestBackend, engine: DataEngine) async throws {
        try await engine.run(on: backend) { store in
            let sites = try DataSites(store: store, on: engine)
            defer { sites.directory.remove() }
            try await sites.standard(bnlQuota: 1500)
            try await sites.rawFiles(2, dataset: "q.raw")
            let data = RuleTarget.dataset(sites.n("q.raw"))
            func refused(_ request: DataManagement.RuleRequest) async -> String {
                do {
                    _ = try await sites.dm.addRule(request, by: DataSites.manager)
                    return "accepted"
                } catch {
                    #expect(!error.message.contains("\n"))
                    return error.message
                }
            }
            #expect(await refused(.init(target: data, expression: "site=CERN")).contains("matches no storage endpoint"))
            #expect(await refused(.init(target: data, expression: "site=KEK&(kind=disk")).contains("'(' is not closed"))
            #expect(await refused(.init(target: data, expression: sites.n("BNL_DISK"))).contains("over quota"))
            #expect(await refused(.init(target: data, copies: 3, expression: sites.scoped("kind=disk"))).contains("selects only 2"))
            #expect(await refused(.init(target: .dataset("nope"), expression: "kind=disk")).contains("no dataset nope"))
            #expect(await refused(.init(target: data, copies: 0, expression: "kind=disk")).contains("copies must be"))
            #expect(try await sites.dm.rules().isEmpty, "no refused rule was recorded, not even in part")
            #expect(try await store.read { try await $0.transfers() }.isEmpty)
            #expect(try await store.read { try await $0.externalRules(includingOK: true) }.isEmpty, "nor made in Rucio")
            // A viewer may not add rules.
            await #expect(throws: ConveyorError.self) {
                _ = try await sites.dm.addRule(.init(target: data, expression: sites.n("KEK_DISK")), by: Actor(name: "v", role: .viewer))
            }
            // A tape endpoint without a recall command.
            #expect(throws: ConveyorError.self) {
                _ = try StorageEndpoint(name: "T2", site: "X", kind: .tape, prefix: "/t")
            }
        }
    }

    @Test(arguments: TestBackend.available, DataEngine.available)
    func anOwnersQuotaBoundsWhatItsRulesHold(backend: TestBackend, engine: DataEngine) async throws {
        try await engine.run(on: backend) { store in
            let sites = try DataSites(store: store, on: engine)
            defer { sites.directory.remove() }
            try await sites.endpoint("KEK_DISK", site: "KEK")
            try await sites.endpoint("BNL_DISK", site: "BNL", ownerQuotas: ["dm-manager": 1500])
            let lfns = try await sites.rawFiles(2, at: "KEK_DISK")
            let first = try await sites.dm.addRule(.init(target: .file(lfns[0]), expression: sites.n("BNL_DISK")), by: DataSites.manager)
            #expect(first.locksReplicating == 1)
            // The second file would make 2000 bytes of the owner's 1500.
            do {
                _ = try await sites.dm.addRule(.init(target: .file(lfns[1]), expression: sites.n("BNL_DISK")), by: DataSites.manager)
                Issue.record("a rule over its owner's quota was accepted")
            } catch let error as ConveyorError {
                #expect(error.message.contains("over quota") && error.message.contains("dm-manager's quota"), "\(error.message)")
            }
            // Another owner is bound only by the endpoint's own quota (none here); the same file twice counts once.
            let other = try await sites.dm.addRule(
                .init(target: .file(lfns[1]), expression: sites.n("BNL_DISK")), by: Actor(name: "other-manager", role: .manager))
            #expect(other.locksReplicating == 1)
            _ = try await sites.dm.addRule(.init(target: .file(lfns[0]), expression: "site=\(sites.n("BNL"))"), by: DataSites.manager)
            try await sites.settle()
            let bnl = try await sites.dm.endpoint(sites.n("BNL_DISK"))
            #expect(bnl.ownerUsage == ["dm-manager": 1000], "\(bnl.ownerUsage)")
        }
    }

    @Test(arguments: TestBackend.available, DataEngine.available)
    func usageAndCleanupOfARequestlessRuleAndContainers(backend: TestBackend, engine: DataEngine) async throws {
        try await engine.run(on: backend) { store in
            let sites = try DataSites(store: store, on: engine)
            defer { sites.directory.remove() }
            try await sites.standard()
            try await sites.rawFiles(2, at: "KEK_DISK", dataset: "d1")
            try await sites.rawFiles(1, at: "KEK_DISK", dataset: "d2", run: 2)
            let container = sites.n("c")
            _ = try await sites.dm.createDataset(container, kind: .container, by: DataSites.manager)
            #expect(try await sites.dm.attach([sites.n("d1"), sites.n("d2")], to: container, by: DataSites.manager) == 2)
            let rule = try await sites.dm.addRule(.init(target: .container(container), expression: sites.n("BNL_DISK"), grouping: .all), by: DataSites.manager)
            #expect(rule.locksReplicating == 3)
            try await sites.settle()
            #expect(try await sites.dm.rule(rule.id).rule.state == .OK)
            let usage = try await sites.dm.usage(by: .level)
            #expect(usage.contains { $0.site == sites.n("BNL") && $0.key == "raw" && $0.files == 3 && $0.bytes == 3000 }, "\(usage)")
            let owners = try await sites.dm.usage(by: .owner)
            #expect(owners == [UsageRow(site: sites.n("BNL"), storage: "disk", key: "dm-manager", bytes: 3000, files: 3)], "\(owners)")
            let detail = try await sites.dm.dataset(container)
            #expect(detail.dataset.files == 3 && detail.datasets == [sites.n("d1"), sites.n("d2")] && detail.replicasPerEndpoint[sites.n("BNL_DISK")] == 3)
            // Attaching files to a container, or a container to a container, is refused.
            await #expect(throws: ConveyorError.self) { _ = try await sites.dm.attach(["/belle/x"], to: container, by: DataSites.manager) }
            await #expect(throws: ConveyorError.self) { _ = try await sites.dm.attach([container], to: container, by: DataSites.manager) }
            #expect(try await sites.dm.deleteRule(rule.id, by: DataSites.manager) == 3000)
        }
    }

    // MARK: The embedded engine's own

    @Test(arguments: TestBackend.available)
    func aCorruptingCopyIsBadRetriedAndTheRuleSuspended(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let sites = try DataSites(store: store)
            defer { sites.directory.remove() }
            try await sites.endpoint("KEK_DISK", site: "KEK")
            // This copy command writes the wrong bytes.
            try await sites.endpoint("BNL_DISK", site: "BNL", copy: "echo corrupted > {dst} # {src}")
            let lfns = try await sites.rawFiles(1, at: "KEK_DISK")
            let rule = try await sites.dm.addRule(.init(target: .file(lfns[0]), expression: "BNL_DISK"), by: DataSites.manager)
            _ = try await sites.dm.engine.cycle(at: .now)
            let stuck = try await sites.dm.rule(rule.id)
            #expect(stuck.rule.state == .STUCK)
            #expect(stuck.rule.error?.contains("checksum mismatch") == true, "\(stuck.rule.error ?? "")")
            #expect(stuck.waiting.first?.reason?.contains("checksum mismatch") == true)
            #expect(try await sites.replicas(lfns[0]).contains { $0.site == "BNL" } == false, "a bad copy is never recorded available")
            try await sites.settle()
            let suspended = try await sites.dm.rule(rule.id).rule
            #expect(suspended.state == .SUSPENDED, "suspended after the backoff's limit of 3 failures")
            // Fixed, then retried by hand: OK.
            try await sites.endpoint("BNL_DISK", site: "BNL")
            _ = try await sites.dm.retryRule(rule.id, by: DataSites.manager)
            try await sites.settle()
            #expect(try await sites.dm.rule(rule.id).rule.state == .OK)
        }
    }

    @Test(arguments: TestBackend.available)
    func aLinkCarriesAtMostItsEndpointsConcurrency(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let sites = try DataSites(store: store)
            defer { sites.directory.remove() }
            // One tape drive: copies from it go one at a time, whatever the disks could take.
            try await sites.endpoint("KEK_TAPE", site: "KEK", kind: .tape, concurrency: 1)
            try await sites.endpoint("KEK_DISK", site: "KEK", concurrency: 8)
            try await sites.rawFiles(3, dataset: "t.raw")
            let rule = try await sites.dm.addRule(.init(target: .dataset("t.raw"), expression: "KEK_DISK"), by: DataSites.manager)
            var made: [Int] = []
            for _ in 0..<4 { made.append(try await sites.dm.engine.cycle(at: .now).copiesMade) }
            #expect(made == [1, 1, 1, 0], "one copy per cycle over the one-drive link: \(made)")
            #expect(try await sites.dm.rule(rule.id).rule.state == .OK)
        }
    }

    /// A big dataset rule is placed by set-based statements: the same locks, copies and
    /// tombstones as the row-at-a-time path gives a small one.
    @Test(arguments: TestBackend.available)
    func aBigDatasetRuleIsPlacedWholeAsASmallOneIs(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let sites = try DataSites(store: store)
            defer { sites.directory.remove() }
            try await sites.standard()
            try await sites.rawFiles(150, size: 10, at: "KEK_DISK", dataset: "big")
            let here = try await sites.dm.addRule(.init(target: .dataset("big"), expression: "KEK_DISK"), by: DataSites.manager)
            #expect(here.state == .OK && here.locksOK == 150, "\(here)")
            let there = try await sites.dm.addRule(.init(target: .dataset("big"), expression: "BNL_DISK", priority: 4), by: DataSites.manager)
            #expect(there.state == .REPLICATING && there.locksReplicating == 150)
            let queued = try await store.read { try await $0.transfers() }
            #expect(queued.count == 150 && Set(queued.map(\.endpoint)) == ["BNL_DISK"])
            // A second rule over the same copies queues nothing more.
            _ = try await sites.dm.addRule(.init(target: .dataset("big"), expression: "site=BNL"), by: DataSites.manager)
            #expect(try await store.read { try await $0.transfers() }.count == 150)
            // The copies at KEK became deletable when their rule ended; a new rule holds them again.
            try await sites.dm.deleteRule(here.id, by: DataSites.manager)
            #expect(try await sites.dm.endpoint("KEK_DISK").deletableBytes == 1500)
            _ = try await sites.dm.addRule(.init(target: .dataset("big"), expression: "KEK_DISK"), by: DataSites.manager)
            #expect(try await sites.dm.endpoint("KEK_DISK").deletableBytes == 0)
        }
    }

    @Test(arguments: TestBackend.available)
    func aHangingCopyIsStoppedAtItsTimeLimit(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let sites = try DataSites(store: store)
            defer { sites.directory.remove() }
            try await sites.endpoint("KEK_DISK", site: "KEK")
            try await sites.endpoint("BNL_DISK", site: "BNL", copy: "sleep 30; cp {src} {dst}", timeout: 1)
            let lfns = try await sites.rawFiles(1, at: "KEK_DISK")
            let rule = try await sites.dm.addRule(.init(target: .file(lfns[0]), expression: "BNL_DISK"), by: DataSites.manager)
            let cycle = try await sites.dm.engine.cycle(at: .now)
            #expect(cycle.copiesFailed == 1)
            #expect(try await sites.dm.rule(rule.id).rule.error?.contains("did not finish within 1 s") == true)
        }
    }

    @Test(arguments: TestBackend.available)
    func anExpiredRulesCopiesAreDeletedWhenSpaceIsShortOldestFirst(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let sites = try DataSites(store: store)
            defer { sites.directory.remove() }
            try await sites.endpoint("KEK_DISK", site: "KEK")
            // 3 files of 1000 bytes fit; the reaper keeps 1500 bytes free.
            try await sites.endpoint("BNL_DISK", site: "BNL", quota: 3500, freeTarget: 1500)
            let lfns = try await sites.rawFiles(3, at: "KEK_DISK", dataset: "cdst")
            let kept = try await sites.dm.addRule(.init(target: .file(lfns[2]), expression: "BNL_DISK"), by: DataSites.manager)
            let rule = try await sites.dm.addRule(.init(target: .dataset("cdst"), expression: "BNL_DISK", lifetimeSeconds: 3600), by: DataSites.manager)
            try await sites.settle()
            #expect(try await sites.dm.endpoint("BNL_DISK").files == 3)
            // Two hours on: the rule's lifetime is over.
            let later = Timestamp(microsecondsSinceEpoch: Timestamp.now.microsecondsSinceEpoch + 7_200_000_000)
            let cycle = try await sites.dm.engine.cycle(at: later)
            #expect(cycle.rulesEnded == 1)
            #expect(try await sites.dm.rules().map(\.id) == [kept.id], "rule \(rule.id) ended with its lifetime")
            // 3000 used of 3500 leaves 500 free < 1500: one deletable copy goes, which restores 1500.
            #expect(cycle.replicasDeleted == 1)
            let bnl = try await sites.dm.endpoint("BNL_DISK")
            #expect(bnl.files == 2 && bnl.freeBytes == 1500)
            #expect(try await sites.replicas(lfns[2]).contains { $0.site == "BNL" }, "a copy another rule holds is never deleted")
            var gone: [String] = []
            for lfn in lfns[0...1] where try await sites.replicas(lfn).first(where: { $0.site == "BNL" }) == nil { gone.append(lfn) }
            #expect(gone.count == 1, "one deletable copy went, \(gone)")
            for lfn in gone { #expect(!FileManager.default.fileExists(atPath: sites.directory.file("BNL_DISK") + lfn), "and its file with it") }
        }
    }

    @Test(arguments: TestBackend.available)
    func aBadCopyIsRecoveredAndALostFileNamesWhatItAffects(backend: TestBackend) async throws {
        try await backend.withStore { store in
            let sites = try DataSites(store: store)
            defer { sites.directory.remove() }
            try await sites.standard()
            let lfns = try await sites.rawFiles(2, at: "KEK_DISK")
            let rule = try await sites.dm.addRule(.init(target: .file(lfns[0]), expression: "BNL_DISK"), by: DataSites.manager)
            try await sites.settle()
            let report = try await sites.dm.declareBad(lfn: lfns[0], endpoint: "BNL_DISK", reason: "disk failure", by: DataSites.manager)
            #expect(report.recovering && !report.lost)
            #expect(try await sites.dm.rule(rule.id).rule.state == .REPLICATING)
            try await sites.settle()
            #expect(try await sites.dm.rule(rule.id).rule.state == .OK)
            #expect(try await sites.replicas(lfns[0]).first { $0.site == "BNL" }?.state == .available)

            let lost = try await sites.dm.declareBad(lfn: lfns[1], endpoint: "KEK_DISK", reason: "tape and disk gone", by: DataSites.manager)
            #expect(lost.lost)
            #expect(try await store.read { try await $0.file(lfn: lfns[1]) }?.status == .lost)
        }
    }
}
