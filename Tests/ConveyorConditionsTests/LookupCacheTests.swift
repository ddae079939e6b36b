import ConveyorCore
import Foundation
import Testing

@testable import ConveyorConditions

/// The lookup cache under a cold start: however many lookups ask for a tag whose index is not
/// built, the tag's IoVs are read and its index built once.
@Suite("Lookup cache")
struct LookupCacheTests {
    actor Counter {
        var value = 0
        func increment() { value += 1 }
    }

    static func tag(changeCount: Int64) -> GlobalTag {
        GlobalTag(id: 7, name: "prompt", description: "", type: .data, state: .published, createdAt: .now, createdBy: "x", changeCount: changeCount)
    }

    @Test func concurrentLookupsOfAColdTagBuildItsIndexOnce() async throws {
        let cache = LookupCache()
        let builds = Counter()
        let tag = Self.tag(changeCount: 3)
        let sizes = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<32 {
                group.addTask {
                    try await cache.index(for: tag) {
                        await builds.increment()
                        try await Task.sleep(for: .milliseconds(200))
                        return ConditionsIndex(entries: [])
                    }.entryCount
                }
            }
            var sizes: [Int] = []
            for try await size in group { sizes.append(size) }
            return sizes
        }
        #expect(sizes.count == 32)
        #expect(await builds.value == 1, "one build for 32 concurrent lookups")
        // A tag that changed since is built again; a build that fails is not kept for the next lookup.
        _ = try await cache.index(for: Self.tag(changeCount: 4)) {
            await builds.increment()
            return ConditionsIndex(entries: [])
        }
        #expect(await builds.value == 2)
        struct Broken: Error {}
        await #expect(throws: Broken.self) { _ = try await cache.index(for: Self.tag(changeCount: 5)) { throw Broken() } }
        _ = try await cache.index(for: Self.tag(changeCount: 5)) {
            await builds.increment()
            return ConditionsIndex(entries: [])
        }
        #expect(await builds.value == 3)
    }
}
