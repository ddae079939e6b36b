import SQLKit

/// Every schema version, oldest first. Later capabilities append here.
enum Migrations {
    static let all: [Migration] = [
        accessAndAudit,
        conditions,
        runs,
        files,
        buckets,
        experiments,
        workflows,
        requests,
        trust,
        dataManagement,
        ownerQuotas,
        promptHandshake,
        liveDataTaking,
        people,
        qualityMonitoring,
        qualityProposals,
        monitoringSummaries,
        strippingRounds,
        runStreams,
        monteCarlo,
    ]

    static var latestVersion: Int { all.last?.version ?? 0 }

    /// The table that marks a database as Conveyor's and records its schema version.
    static let versionTable = "conveyor_schema"
}
