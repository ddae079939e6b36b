import ConveyorCore
import ConveyorStore

/// Where a rule's files go, as both engines decide it before anything is made: the endpoints its
/// expression selects, what each file's copies are already (or are on their way), and the free
/// space under each endpoint's quota. The embedded engine makes the locks it returns; the Rucio
/// engine refuses a rule that cannot fit before asking Rucio (whose own quotas hold only after
/// its abacus daemon has run).
///
/// ```swift
/// let plan = try await RulePlanner.plan(rule, files: fresh, in: session)
/// plan.placement[fileID]    // ["BNL_DISK"]
/// ```
enum RulePlanner {
    struct Plan {
        /// Per file, the endpoints its copies go to.
        var placement: [Int64: [String]]
        /// Per file, the endpoints that hold an available copy now.
        var holders: [Int64: Set<String>]
        /// The endpoints the rule may use.
        var candidates: [StorageEndpoint]
    }

    static func plan(_ rule: ReplicationRule, files: [StoreSession.TargetFile], in session: StoreSession) async throws -> Plan {
        let endpoints = try await session.endpoints()
        var candidates = try SiteExpression(rule.expression).require(from: endpoints)
        guard !files.isEmpty else { return Plan(placement: [:], holders: [:], candidates: candidates) }
        // Files attached later go where the rule's earlier files went (its grouping keeps them together).
        if rule.id != 0, rule.grouping != .none {
            let used = try await session.ruleEndpoints(rule.id)
            if used.count >= rule.copies { candidates = candidates.filter { used.contains($0.name) } }
        }
        let holders = try await session.holders(of: files.map(\.id))
        // Copies on their way count as there for placement and quota (their transfer is shared), not for the lock's state.
        var placed = holders
        for (file, endpoints) in try await session.arriving(files.map(\.id)) { placed[file, default: []].formUnion(endpoints) }
        // Usage is summed only where a quota bounds the choice: it reads every replica there.
        let bounded = candidates.filter { $0.quotaBytes != nil }
        let usage = bounded.isEmpty ? [:] : try await session.endpointUsage()
        let pending = bounded.isEmpty ? [:] : try await session.pendingTransferBytes()
        // An owner's quota counts every file its rules lock there, copies already present included.
        let ownerBounded = candidates.filter { $0.ownerQuotas[rule.owner] != nil }.map(\.name)
        let ownerUsage = ownerBounded.isEmpty ? [:] : try await session.ownerUsage(rule.owner, at: ownerBounded)
        var ownerHeld: [String: Set<Int64>] = [:]
        for name in ownerBounded { ownerHeld[name] = try await session.filesLocked(byOwner: rule.owner, at: name, among: files.map(\.id)) }
        let placement = try RulePlacement.place(
            files.map { RulePlacement.File(id: $0.id, group: $0.group, size: $0.size, holders: placed[$0.id] ?? []) },
            copies: rule.copies, grouping: rule.grouping,
            on: candidates.map { endpoint in
                var free = endpoint.quotaBytes.map { $0 - (usage[endpoint.name]?.bytes ?? 0) - (pending[endpoint.name] ?? 0) }
                var boundBy: String?
                if let quota = endpoint.ownerQuotas[rule.owner] {
                    let alreadyHeld = ownerHeld[endpoint.name] ?? []
                    let present = files.filter { placed[$0.id]?.contains(endpoint.name) == true && !alreadyHeld.contains($0.id) }.reduce(Int64(0)) {
                        $0 + $1.size
                    }
                    // Files the owner holds here already count in its usage: not again when the placement counts them as to be copied.
                    let heldButMissing = files.filter { alreadyHeld.contains($0.id) && placed[$0.id]?.contains(endpoint.name) != true }.reduce(Int64(0)) {
                        $0 + $1.size
                    }
                    let ownerFree = quota - (ownerUsage[endpoint.name] ?? 0) - present + heldButMissing
                    if free == nil || ownerFree < free! {
                        free = ownerFree
                        boundBy = "\(rule.owner)'s quota of \(ByteCount.describe(quota))"
                    }
                }
                return RulePlacement.Candidate(name: endpoint.name, freeBytes: free, boundBy: boundBy)
            })
        return Plan(placement: placement, holders: holders, candidates: candidates)
    }
}
