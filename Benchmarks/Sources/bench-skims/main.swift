import CatalogFixture
import ConveyorCore
import ConveyorRuns
import ConveyorStore
import Foundation

// Issue 19's scale, each figure beside its floor measured in the same run:
//
// 1. Streams: 900 selections (the size of LHCb's latest stripping) on a sample of 10⁵ events —
//    the overlap matrix and the automatic grouping. Floor: one pass over every selection's kept
//    events (counting them), the least any grouping must read.
// 2. Normalisation of 10⁵ uDST files among the 10 million of the file-catalog fixture (seeded on
//    first use, about 14 minutes). Floor: id, events and status of the same 10⁵ files, one indexed
//    lookup each, the least a normalisation must read before it walks the provenance.
//
// `swift run -c release bench-skims [CATALOG_DB]` (default /tmp/conveyor-bench/catalog.sqlite).

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

func time<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
    let start = ContinuousClock.now
    let value = try await body()
    return (value, seconds(ContinuousClock.now - start))
}

// MARK: Streams

/// 30 families of 30 selections (one decay mode each, say): a family keeps events of its own pool,
/// its members overlap heavily; every selection also keeps a few events anywhere (cross-family overlaps).
var generator = SystemRandomNumberGenerator()
let size = 100_000
var members: [StreamGrouping.Member] = []
for family in 0..<30 {
    let pool = Array((family * 3_000..<(family + 1) * 3_000).shuffled(using: &generator))
    for k in 0..<30 {
        var kept = EventSet(size: size)
        for ordinal in pool.prefix(300 + 40 * k) { kept.insert(ordinal) }
        for _ in 0..<20 { kept.insert(Int.random(in: 0..<size, using: &generator)) }
        members.append(.init(name: "f\(family)_s\(k)", group: "family\(family)", events: kept))
    }
}
members.append(.init(name: "random_events", group: "lumi", random: true, events: EventSet(size: size)))
let (floorCount, floorSeconds) = await time { members.reduce(0) { $0 + $1.events.count } }
let limits = RoundLimits(maxStreams: 31)
let (matrix, matrixSeconds) = await time { OverlapMatrix(members) }
let (grouping, groupingSeconds) = await time { StreamGrouping.automatic(members, limits: limits) }
let figures = try grouping.evaluate(members, limits: limits)
print(
    String(
        format:
            "streams: %d selections on %d events: overlap matrix %.3f s, grouping %.3f s, together %.3f s (target < 10 s); floor (count every selection once) %.4f s; %d streams, duplication factor %.3f, %d warnings, %d kept events counted",
        members.count, size, matrixSeconds, groupingSeconds, matrixSeconds + groupingSeconds, floorSeconds, grouping.streams.count, figures.duplicationFactor,
        figures.warnings.count, floorCount))
precondition(matrix.names.count == members.count)

// MARK: Normalisation

let url = CommandLine.arguments.dropFirst().first ?? "/tmp/conveyor-bench/catalog.sqlite"
let (store, seedSeconds) = try await time { try await CatalogFixture.openSeeded(url) }
if seedSeconds > 1 { print(String(format: "opened (migrated, seeded where short) the 10M-file catalog in %.0f s", seedSeconds)) }
let lfns = (0..<100_000).map { CatalogFixture.lfn(.udst, chain: ($0 &* 25) % CatalogFixture.chains) }
let catalog = FileCatalog(store: store)
for round in 1...3 {
    let (facts, floor) = try await time { try await store.read { try await $0.fileFacts(lfns) } }
    // Where the time goes: the ancestry walk and the runs' accounting, each on its own.
    let (raw, walk) = try await time { try await store.read { try await $0.rawAncestors(ofIDs: facts.values.map(\.id)) } }
    let (_, accounting) = try await time { try await store.read { try await $0.runAccounting(Set(raw.map(\.run))) } }
    let (normalised, took) = try await time { try await catalog.normalise(lfns) }
    precondition(facts.count == lfns.count && normalised.listed.files == lfns.count)
    print(
        String(
            format:
                "normalise (%d): %d uDST files among 10M: %.3f s (target < 1 s); floor (id, events, status of each, one lookup each) %.3f s, ratio %.1f; ancestry walk to %d raw files %.3f s, accounting of %d runs %.3f s",
            round, lfns.count, took, floor, took / floor, raw.count, walk, normalised.listed.runs, accounting))
}
await store.close()
