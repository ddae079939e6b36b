import ConveyorCore
import ConveyorStore
import Foundation

/// Data management as the command line, the REST API and the workflow use it: storage
/// endpoints, datasets and containers, replication rules, usage and cleanup. Changes need
/// `manager`; reading needs nothing more than `viewer`.
///
/// ```swift
/// let dm = DataManagement(store: store)
/// try await dm.saveEndpoint(try StorageEndpoint(name: "BNL_DISK", site: "BNL", kind: .disk, prefix: "/data/bnl"), by: manager)
/// let rule = try await dm.addRule(.init(target: .dataset("demo.mdst"), copies: 1, expression: "site=BNL"), by: manager)
/// try await dm.engine.cycle(at: .now)     // copies made
/// ```
public struct DataManagement: Sendable {
    let store: Store
    public let engine: any DataManagementEngine

    public init(store: Store, engine: (any DataManagementEngine)? = nil) {
        self.store = store
        self.engine = engine ?? EmbeddedEngine(store: store)
    }

    // MARK: Endpoints

    public func saveEndpoint(_ endpoint: StorageEndpoint, by actor: Actor) async throws(ConveyorError) {
        // Endpoints carry the commands the engine runs: only an admin may set them.
        try actor.require(.admin, to: "changing storage endpoints")
        try endpoint.validate()
        try await store.write { session in
            let existed = try await session.endpoint(named: endpoint.name) != nil
            try await session.saveEndpoint(endpoint, at: .now, by: actor.name)
            try await session.appendAudit(
                AuditRecord(
                    actor: actor, action: existed ? "site.change" : "site.add", subjectKind: "endpoint", subject: endpoint.name,
                    detail: "\(endpoint.site) \(endpoint.kind.rawValue) \(endpoint.prefix) quota \(endpoint.quotaBytes.map(String.init) ?? "none")"))
        }
    }

    /// An endpoint with what it holds.
    public struct EndpointUsage: Sendable, Hashable, Codable {
        public var endpoint: StorageEndpoint
        public var usedBytes: Int64
        public var files: Int
        /// Bytes no rule holds: the reaper deletes them when space is short.
        public var deletableBytes: Int64
        /// Bytes on their way here.
        public var incomingBytes: Int64
        public var freeBytes: Int64?
        /// What the rules of each owner with a quota here hold (each file once).
        public var ownerUsage: [String: Int64]
    }

    public func endpoints() async throws(ConveyorError) -> [EndpointUsage] {
        try await store.read { session in
            let usage = try await session.endpointUsage()
            let pending = try await session.pendingTransferBytes()
            let endpoints = try await session.endpoints()
            // One look per owner with a quota anywhere, over the endpoints that bound it.
            var held: [String: [String: Int64]] = [:]
            for owner in Set(endpoints.flatMap(\.ownerQuotas.keys)) {
                held[owner] = try await session.ownerUsage(owner, at: endpoints.filter { $0.ownerQuotas[owner] != nil }.map(\.name))
            }
            var all: [EndpointUsage] = []
            for endpoint in endpoints {
                let used = usage[endpoint.name]?.bytes ?? 0
                var owners: [String: Int64] = [:]
                for owner in endpoint.ownerQuotas.keys { owners[owner] = held[owner]?[endpoint.name] ?? 0 }
                all.append(
                    EndpointUsage(
                        endpoint: endpoint, usedBytes: used, files: usage[endpoint.name]?.files ?? 0, deletableBytes: usage[endpoint.name]?.deletable ?? 0,
                        incomingBytes: pending[endpoint.name] ?? 0, freeBytes: endpoint.quotaBytes.map { $0 - used }, ownerUsage: owners))
            }
            return all
        }
    }

    public func endpoint(_ name: String) async throws(ConveyorError) -> EndpointUsage {
        guard let found = try await endpoints().first(where: { $0.endpoint.name == name }) else {
            throw .notFound("no storage endpoint \(name)")
        }
        return found
    }

    // MARK: Datasets

    public func createDataset(_ name: String, kind: DatasetKind, by actor: Actor) async throws(ConveyorError) -> Dataset {
        try actor.require(.manager, to: "creating datasets")
        try Dataset.validate(name: name)
        return try await store.write { session in
            if try await session.createDataset(name, kind: kind, at: .now, by: actor.name) {
                try await session.appendAudit(AuditRecord(actor: actor, action: "dataset.add", subjectKind: kind.rawValue, subject: name, detail: ""))
            }
            guard let dataset = try await session.dataset(named: name) else { throw ConveyorError.notFound("no dataset \(name)") }
            return dataset
        }
    }

    /// Attaches files (LFNs) to a dataset, or datasets (names) to a container; all or nothing.
    /// - Returns: how many were newly attached.
    public func attach(_ members: [String], to name: String, by actor: Actor) async throws(ConveyorError) -> Int {
        try actor.require(.manager, to: "attaching to datasets")
        guard !members.isEmpty else { throw .invalidInput("nothing to attach: give LFNs (to a dataset) or dataset names (to a container)") }
        return try await store.write { session in
            guard let kind = try await session.datasetKind(named: name) else { throw ConveyorError.notFound("no dataset or container \(name)") }
            var attached = 0
            if kind == .dataset {
                attached = try await session.attachFiles(members, to: name)
            } else {
                for member in members where try await session.attachDataset(member, to: name) { attached += 1 }
            }
            try await session.appendAudit(
                AuditRecord(
                    actor: actor, action: "dataset.attach", subjectKind: kind.rawValue, subject: name, detail: "\(attached) of \(members.count) new"))
            return attached
        }
    }

    public func datasets(kind: DatasetKind? = nil) async throws(ConveyorError) -> [Dataset] {
        try await store.read { try await $0.datasets(kind: kind) }
    }

    /// A dataset with its files and where each has copies, and the rules over it.
    public struct DatasetDetail: Sendable, Hashable, Codable {
        public var dataset: Dataset
        public var datasets: [String]
        public var files: [DatasetFile]
        public var rules: [ReplicationRule]
        /// Per endpoint: copies available there, of how many files.
        public var replicasPerEndpoint: [String: Int]
    }

    public struct DatasetFile: Sendable, Hashable, Codable {
        public var lfn: String
        public var size: Int64
        public var replicas: [Replica]
    }

    public func dataset(_ name: String, fileLimit: Int = 1000) async throws(ConveyorError) -> DatasetDetail {
        try await store.read { session in
            guard let dataset = try await session.dataset(named: name) else { throw ConveyorError.notFound("no dataset or container \(name)") }
            let target: RuleTarget = dataset.kind == .dataset ? .dataset(name) : .container(name)
            let files = try await session.targetFiles(target)
            var detail: [DatasetFile] = []
            var perEndpoint: [String: Int] = [:]
            let endpoints = try await session.endpoints()
            let shown = Array(files.prefix(fileLimit))
            let copies = try await session.replicas(ofFiles: shown.map(\.id))
            for file in shown {
                let replicas = copies[file.id] ?? []
                detail.append(DatasetFile(lfn: file.lfn, size: file.size, replicas: replicas))
                for replica in replicas where replica.state == .available {
                    if let endpoint = endpoints.first(where: { $0.site == replica.site && $0.kind == replica.storage }) {
                        perEndpoint[endpoint.name, default: 0] += 1
                    }
                }
            }
            let rules = try await session.rules(target: target)
            return DatasetDetail(
                dataset: dataset, datasets: dataset.kind == .container ? try await session.containedDatasets(name) : [], files: detail, rules: rules,
                replicasPerEndpoint: perEndpoint)
        }
    }
}

extension DataManagement {
    /// The process's environment as it was when data management first read it. A scheduler
    /// removes the Rucio password (and the database's address) from its environment before it
    /// starts jobs; it calls ``keepConfiguration()`` first, so that its engine still finds them.
    public static let processEnvironment: [String: String] = ProcessInfo.processInfo.environment

    /// Reads the data-management settings of the environment now, before anything removes them.
    public static func keepConfiguration() { _ = processEnvironment }

    /// The engine the environment names: Rucio when `CONVEYOR_RUCIO_URL` is set (with
    /// `CONVEYOR_RUCIO_ACCOUNT`, default root, `CONVEYOR_RUCIO_USERNAME` and
    /// `CONVEYOR_RUCIO_PASSWORD` for userpass), else the embedded one.
    ///
    /// ```swift
    /// let dm = try DataManagement.configured(store: store)   // what the CLI, the server and the scheduler use
    /// ```
    public static func configured(
        store: Store, environment: [String: String] = DataManagement.processEnvironment
    ) throws(ConveyorError)
        -> DataManagement
    {
        guard let text = environment["CONVEYOR_RUCIO_URL"], !text.isEmpty else { return DataManagement(store: store) }
        guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw .invalidInput("CONVEYOR_RUCIO_URL '\(text)' is not an http(s) URL")
        }
        guard let username = environment["CONVEYOR_RUCIO_USERNAME"], let password = environment["CONVEYOR_RUCIO_PASSWORD"] else {
            throw .invalidInput("CONVEYOR_RUCIO_URL is set: give CONVEYOR_RUCIO_USERNAME and CONVEYOR_RUCIO_PASSWORD too")
        }
        let client = RucioClient(url: url, account: environment["CONVEYOR_RUCIO_ACCOUNT"] ?? "root", username: username, password: password)
        return DataManagement(store: store, engine: RucioEngine(store: store, client: client))
    }
}
