import ConveyorCore
import ConveyorStore
import Foundation
import Synchronization

/// Data management on a Rucio server: Conveyor registers its endpoints as RSEs, its files and
/// datasets as DIDs (the scope is an LFN's first part), and its rules as Rucio rules; Rucio's
/// daemons move the data; each cycle reads the rules' states, locks and replicas back into
/// Conveyor's catalog, so pages, `rule show` and the workflow see them as they see embedded ones.
///
/// Rucio must name files as Conveyor does, an RSE's prefix followed by the LFN (Belle II's
/// lfn2pfn; scripts/rucio-policy is that policy package for Conveyor's test server): a copy
/// Rucio makes is then where Conveyor's jobs look for it.
///
/// ```swift
/// let engine = RucioEngine(store: store, client: RucioClient(url: url, account: "root", username: "ddmlab", password: "secret"))
/// let dm = DataManagement(store: store, engine: engine)
/// ```
public struct RucioEngine: DataManagementEngine {
    public let name = "rucio"
    let store: Store
    public let client: RucioClient
    /// The scope of Conveyor's datasets and containers.
    public let datasetScope: String
    /// Endpoints already registered as RSEs by this engine, as they were then: every rule needs
    /// them, and registering costs a call per attribute and per pair of endpoints.
    private let registered = RegisteredEndpoints()

    public init(store: Store, client: RucioClient, datasetScope: String = "conveyor") {
        self.store = store
        self.client = client
        self.datasetScope = datasetScope
    }

    /// A file's scope: its LFN's first part (`/belle/Raw/…` → `belle`).
    public static func scope(of lfn: String) -> String {
        lfn.split(separator: "/").first.map(String.init) ?? "conveyor"
    }

    public func add(_ rule: ReplicationRule, by actor: Actor) async throws(ConveyorError) -> ReplicationRule {
        try await translatingErrors {
            // Refused here, as the embedded engine refuses it, before Rucio sees it.
            let (endpoints, files, holders) = try await store.read { session in
                guard try await session.targetExists(rule.target) else { throw ConveyorError.notFound("no \(rule.target.kind) \(rule.target.name)") }
                let files = try await session.targetFiles(rule.target)
                let plan = try await RulePlanner.plan(rule, files: files, in: session)
                return (try await session.endpoints(), files, plan.holders)
            }
            try await registerEndpoints(endpoints)
            try await registerData(rule.target, files: files, holders: holders)
            let external = try await createRemote(rule)
            do {
                let id = try await store.write { session -> Int64 in
                    let id = try await session.insertRule(rule, at: rule.createdAt)
                    try await session.setExternalID(external, ofRule: id)
                    try await session.appendAudit(
                        AuditRecord(
                            actor: actor, action: "rule.add", subjectKind: "rule", subject: String(id),
                            detail: "\(rule.target) ×\(rule.copies) on \(rule.expression), Rucio rule \(external)"))
                    return id
                }
                _ = try await refresh(rule: id, external: external)
                guard let stored = try await store.read({ try await $0.rule(id: id) }) else { throw ConveyorError.storeFailure("rule \(id) vanished") }
                return stored
            } catch {
                // Never a rule in Rucio that Conveyor does not know of.
                _ = try? await client.send("DELETE", "/rules/\(external)", body: ["purge_replicas": false])
                throw error
            }
        }
    }

    public func end(_ id: Int64, by actor: Actor) async throws(ConveyorError) -> Int64 {
        let external = try await store.read { session in try await session.externalRules(includingOK: true).first { $0.rule == id }?.external }
        if let external {
            try await translatingErrors {
                do {
                    _ = try await client.send("DELETE", "/rules/\(external)", body: ["purge_replicas": false])
                } catch let refusal as RucioClient.Refusal where refusal.exceptionClass == "RuleNotFound" {
                }
            }
        }
        return try await store.write { session in
            guard let rule = try await session.rule(id: id) else { throw ConveyorError.notFound("no rule \(id)") }
            let freed = try await session.endRule(id, at: .now)
            try await session.appendAudit(
                AuditRecord(
                    actor: actor, action: "rule.delete", subjectKind: "rule", subject: String(id),
                    detail: "\(rule.target) on \(rule.expression)\(external.map { ", Rucio rule \($0)" } ?? "")"))
            return freed
        }
    }

    public func cycle(at time: Timestamp) async throws(ConveyorError) -> DataManagementCycle {
        var report = DataManagementCycle()
        // Rules whose lifetime ended and staging pins of requests that ended: ended in Rucio, then here.
        for id in try await store.read({ try await $0.rulesToEnd(at: time) }) {
            _ = try await end(id, by: EmbeddedEngine.engineActor)
            report.rulesEnded += 1
        }
        report.rulesEvaluated += try await translatingErrors { try await placeMarked() }
        let external = try await store.read { try await $0.externalRules() }
        for (rule, id) in external {
            let (changed, ended) = try await translatingErrors { () async throws -> (Bool, Bool) in
                do {
                    return (try await refresh(rule: rule, external: id), false)
                } catch let refusal as RucioClient.Refusal where refusal.exceptionClass == "RuleNotFound" {
                    // Rucio ended it (its lifetime, or someone there): Conveyor ends its record too.
                    try await store.write { session in _ = try await session.endRule(rule, at: time) }
                    return (false, true)
                }
            }
            if changed { report.rulesEvaluated += 1 }
            if ended { report.rulesEnded += 1 }
        }
        return report
    }

    /// Runs `body`, its failures as one-line Conveyor errors: Rucio's refusals by their class,
    /// anything else as Rucio being unavailable.
    func translatingErrors<T>(_ body: () async throws -> T) async throws(ConveyorError) -> T {
        do {
            return try await body()
        } catch let refusal as RucioClient.Refusal {
            throw refusal.conveyorError
        } catch let error as ConveyorError {
            throw error
        } catch {
            throw .unavailable("Rucio at \(client.url): \(error)")
        }
    }

    /// Makes the rule in Rucio, or, with `adopting`, takes the same rule Rucio already holds: a
    /// cycle whose answer was lost (a time-out while Rucio made the rule) tries again, and Rucio
    /// refuses the same DID, account, expression and copies twice.
    /// - Returns: Rucio's rule id.
    func createRemote(_ rule: ReplicationRule, adopting: Bool = false) async throws -> String {
        do {
            return try await createRemote(rule)
        } catch let refusal as RucioClient.Refusal where adopting && refusal.exceptionClass == "DuplicateRule" {
            let target = did(rule.target)
            let held = try await client.lines("/dids/\(target["scope"] ?? "")/\(target["name"] ?? "")/rules")
            guard
                let same = held.first(where: {
                    $0["rse_expression"] as? String == rule.expression && ($0["copies"] as? Int) == rule.copies && $0["account"] as? String == client.account
                }), let id = same["id"] as? String
            else { throw refusal }
            return id
        }
    }

    func createRemote(_ rule: ReplicationRule) async throws -> String {
        var body: [String: Any] = [
            "dids": [did(rule.target)], "copies": rule.copies, "rse_expression": rule.expression, "grouping": rule.grouping.rawValue.uppercased(),
            "account": client.account, "activity": Self.activity(rule.activity), "comment": rule.comment, "priority": rule.priority, "asynchronous": false,
        ]
        if let expires = rule.expiresAt {
            body["lifetime"] = max(1, (expires.microsecondsSinceEpoch - Timestamp.now.microsecondsSinceEpoch) / 1_000_000)
        }
        guard let ids = try await client.json("POST", "/rules/", body) as? [String], let external = ids.first else {
            throw ConveyorError.unavailable("Rucio at \(client.url) made no rule")
        }
        return external
    }

    /// Rules recorded inside another transaction (a request's), and rules whose data grew:
    /// their data is registered in Rucio, and the rule made there when it is new.
    /// - Returns: how many rules it looked at.
    func placeMarked() async throws -> Int {
        let marked = try await store.read { try await $0.rules(needingEvaluation: true, limit: 100) }
        guard !marked.isEmpty else { return 0 }
        let known = Dictionary(
            try await store.read { try await $0.externalRules(includingOK: true) }.map { ($0.rule, $0.external) }, uniquingKeysWith: { a, _ in a })
        for rule in marked {
            do {
                let isNew = known[rule.id] == nil
                let (mark, endpoints, files, holders) = try await store.read { session in
                    // Read before the files: data that grows after this is placed by the next cycle.
                    let mark = try await session.evaluationMark(ofRule: rule.id)
                    let files = try await session.targetFiles(rule.target)
                    // A new rule is checked as `add` checks one; a rule Rucio holds already grows as Rucio decides.
                    if isNew { _ = try await RulePlanner.plan(rule, files: files, in: session) }
                    return (mark, try await session.endpoints(), files, try await session.holders(of: files.map(\.id)))
                }
                try await registerEndpoints(endpoints)
                try await registerData(rule.target, files: files, holders: holders)
                var external = known[rule.id] ?? ""
                if external.isEmpty { external = try await createRemote(rule, adopting: true) }
                let id = external
                try await store.write { session in
                    try await session.setExternalID(id, ofRule: rule.id, evaluatedMark: mark)
                    if isNew {
                        try await session.appendAudit(
                            AuditRecord(
                                actor: EmbeddedEngine.engineActor, action: "rule.place", subjectKind: "rule", subject: String(rule.id),
                                detail: "\(rule.target) ×\(rule.copies) on \(rule.expression), Rucio rule \(id)"))
                    }
                }
                _ = try await refresh(rule: rule.id, external: external)
            } catch let refusal as RucioClient.Refusal {
                try await store.write { try await $0.finishEvaluation(rule: rule.id, error: refusal.conveyorError.message, at: .now) }
            } catch ConveyorError.invalidInput(let reason) {
                try await store.write { try await $0.finishEvaluation(rule: rule.id, error: reason, at: .now) }
            }
        }
        return marked.count
    }

    /// Reads a rule's state, locks and the replicas its OK locks stand for back from Rucio.
    /// - Returns: whether anything changed.
    func refresh(rule: Int64, external: String) async throws -> Bool {
        guard let remote = try await client.json("GET", "/rules/\(external)") as? [String: Any] else {
            throw ConveyorError.unavailable("Rucio gave no rule \(external)")
        }
        let state = RuleState(rawValue: remote["state"] as? String ?? "") ?? .REPLICATING
        let error = remote["error"] as? String
        let locks = try await client.lines("/rules/\(external)/locks").compactMap { lock -> (name: String, rse: String, state: String)? in
            guard let name = lock["name"] as? String, let rse = lock["rse"] as? String else { return nil }
            return (name, rse, lock["state"] as? String ?? "")
        }
        return try await store.write { session in
            guard let before = try await session.rule(id: rule) else { return false }
            let endpoints = Dictionary(try await session.endpoints().map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            let files = try await session.targetFiles(before.target)
            let byName = Dictionary(files.map { ($0.lfn, $0) }, uniquingKeysWith: { a, _ in a })
            var mirrored: [(file: Int64, endpoint: String, state: LockState, bytes: Int64)] = []
            for (name, rse, remoteState) in locks {
                guard let file = byName[name], endpoints[rse] != nil else { continue }
                let lockState: LockState =
                    switch remoteState {
                    case "OK": .ok
                    case "STUCK": .stuck
                    default: .replicating
                    }
                mirrored.append((file.id, rse, lockState, file.size))
                if lockState == .ok, let endpoint = endpoints[rse] {
                    try await session.recordReplica(file: file.id, endpoint: endpoint, path: endpoint.path(of: name), at: .now)
                }
            }
            try await session.mirrorLocks(rule: rule, mirrored)
            // Files attached since Rucio's judge last looked have no locks yet, and the locks are read
            // after the rule's state, so the judge may have added some in between: the rule is OK in
            // Conveyor's eyes only when every file's copies are OK locks.
            let complete = mirrored.filter { $0.state == .ok }.count >= files.count * before.copies
            let shown = state == .OK && !complete ? RuleState.REPLICATING : state
            try await session.setRuleState(rule, to: shown, error: shown == .OK ? nil : error, at: .now)
            return before.state != shown || before.locksOK != mirrored.filter { $0.state == .ok }.count
        }
    }

    /// Conveyor's activity names in Rucio's (its generic schema accepts a fixed list).
    static func activity(_ name: String) -> String {
        switch name {
        case "User": "User Subscriptions"
        case "Production": "Production Output"
        default: name
        }
    }

    func did(_ target: RuleTarget) -> [String: String] {
        switch target {
        case .file(let lfn): ["scope": Self.scope(of: lfn), "name": lfn]
        case .dataset(let name), .container(let name): ["scope": datasetScope, "name": name]
        }
    }

    /// Every Conveyor endpoint as an RSE with its attributes, a `file` protocol at its prefix, a
    /// limit for the account and a distance to every other (Rucio needs one to plan a transfer).
    func registerEndpoints(_ endpoints: [StorageEndpoint]) async throws {
        let known = registered.endpoints.withLock { $0 }
        let fresh = endpoints.filter { !known.contains($0) }
        guard !fresh.isEmpty else { return }
        for endpoint in fresh {
            try await client.ensure("POST", "/rses/\(endpoint.name)", ["rse_type": endpoint.kind == .tape ? "TAPE" : "DISK", "deterministic": true])
            for (key, value) in endpoint.allAttributes where key != "name" {
                try await client.ensure("POST", "/rses/\(endpoint.name)/attr/\(key)", ["value": value])
            }
            let prefix = endpoint.prefix.hasSuffix("/") ? endpoint.prefix : endpoint.prefix + "/"
            try await client.ensure(
                "POST", "/rses/\(endpoint.name)/protocols/file",
                [
                    "scheme": "file", "hostname": "localhost", "port": 0, "prefix": prefix, "impl": "rucio.rse.protocols.posix.Default",
                    "domains": [
                        "lan": ["read": 1, "write": 1, "delete": 1],
                        "wan": ["read": 1, "write": 1, "delete": 1, "third_party_copy_read": 1, "third_party_copy_write": 1],
                    ],
                ] as [String: Any])
            try await client.ensure("POST", "/accountlimits/local/\(client.account)/\(endpoint.name)", ["bytes": endpoint.quotaBytes ?? 1 << 60])
        }
        let freshNames = Set(fresh.map(\.name))
        for source in endpoints {
            for destination in endpoints where destination.name != source.name && (freshNames.contains(source.name) || freshNames.contains(destination.name)) {
                try await client.ensure("POST", "/rses/\(source.name)/distances/\(destination.name)", ["distance": 1])
            }
        }
        registered.endpoints.withLock { $0.formUnion(fresh) }
    }

    /// The rule's files with their replicas where Conveyor knows them, and its dataset or container.
    func registerData(_ target: RuleTarget, files: [StoreSession.TargetFile], holders: [Int64: Set<String>]) async throws {
        for scope in Set(files.map { Self.scope(of: $0.lfn) } + [datasetScope]) {
            try await client.ensure("POST", "/accounts/\(client.account)/scopes/\(scope)")
        }
        var perRSE: [String: [[String: Any]]] = [:]
        for file in files {
            for rse in holders[file.id] ?? [] {
                perRSE[rse, default: []].append(["scope": Self.scope(of: file.lfn), "name": file.lfn, "bytes": file.size, "adler32": file.adler32])
            }
        }
        for (rse, replicas) in perRSE {
            for start in stride(from: 0, to: replicas.count, by: 500) {
                let chunk = Array(replicas[start..<min(start + 500, replicas.count)])
                do {
                    _ = try await client.send("POST", "/replicas", body: ["rse": rse, "files": chunk, "ignore_availability": true])
                } catch let refusal as RucioClient.Refusal where refusal.status == 409 {
                    // Some were there already: one at a time, the others go in.
                    for replica in chunk { try await client.ensure("POST", "/replicas", ["rse": rse, "files": [replica], "ignore_availability": true]) }
                }
            }
        }
        func attach(_ name: String, _ dids: [[String: Any]]) async throws {
            for start in stride(from: 0, to: dids.count, by: 500) {
                let chunk = Array(dids[start..<min(start + 500, dids.count)])
                do {
                    _ = try await client.send("POST", "/dids/\(datasetScope)/\(name)/dids", body: ["dids": chunk])
                } catch let refusal as RucioClient.Refusal where refusal.status == 409 {
                    for one in chunk { try await client.ensure("POST", "/dids/\(datasetScope)/\(name)/dids", ["dids": [one]]) }
                }
            }
        }
        switch target {
        case .file: break
        case .dataset(let name):
            try await client.ensure("POST", "/dids/\(datasetScope)/\(name)", ["type": "DATASET"])
            try await attach(name, files.map { ["scope": Self.scope(of: $0.lfn), "name": $0.lfn] })
        case .container(let name):
            try await client.ensure("POST", "/dids/\(datasetScope)/\(name)", ["type": "CONTAINER"])
            for group in Set(files.map(\.group)).sorted() {
                try await client.ensure("POST", "/dids/\(datasetScope)/\(group)", ["type": "DATASET"])
                try await attach(group, files.filter { $0.group == group }.map { ["scope": Self.scope(of: $0.lfn), "name": $0.lfn] })
            }
            try await attach(name, Set(files.map(\.group)).sorted().map { ["scope": datasetScope, "name": $0] })
        }
    }
}

/// The endpoints one Rucio engine has registered, shared by its copies.
final class RegisteredEndpoints: Sendable {
    let endpoints = Mutex<Set<StorageEndpoint>>([])
}
