extension SchemaExamples {
    static let endpoint =
        ##"{"attributes": {"country": "JP"}, "concurrency": 4, "copyCommand": "cp {src} {dst}", "deleteCommand": "rm {path}", "freeSpaceTargetBytes": 1000, "kind": "tape", "name": "KEK_TAPE", "ownerQuotas": {"conveyor-requests": 4000}, "prefix": "/tape", "quotaBytes": 5000, "recallCommand": "hstage {path}", "site": "KEK", "timeoutSeconds": 600}"##
    static let endpointUsage = [
        ##"{"deletableBytes": 0, "endpoint": \##(endpoint), "files": 3, "freeBytes": 2000, "incomingBytes": 0, "ownerUsage": {"conveyor-requests": 1000}, "usedBytes": 3000}"##
    ]
    static let rule =
        ##"{"activity": "Staging", "bytes": 3000, "comment": "inputs of demo-prompt", "copies": 1, "createdAt": "2026-12-03T09:25:26.259661Z", "error": "/belle/a to BNL_DISK: checksum mismatch", "expiresAt": "2026-12-03T09:25:26.259661Z", "expression": "site=KEK&kind=disk", "grouping": "dataset", "id": 1, "locksOK": 2, "locksReplicating": 0, "locksStuck": 1, "owner": "alice", "priority": 3, "request": "demo-prompt", "state": "STUCK", "target": "dataset:demo.raw"}"##
    static let replicationRule = [rule]
    static let ruleDetail = [
        ##"{"rule": \##(rule), "waiting": [{"endpoint": "BNL_DISK", "failures": 1, "lfn": "/belle/a", "nextAttemptAt": "2026-12-03T09:25:26.259661Z", "reason": "checksum mismatch", "state": "stuck"}]}"##
    ]
    static let datasetValue =
        ##"{"bytes": 3000, "createdAt": "2026-12-03T09:25:26.259661Z", "createdBy": "alice", "files": 3, "kind": "dataset", "name": "demo.raw"}"##
    static let dataset = [datasetValue]
    static let datasetDetail = [
        ##"{"dataset": \##(datasetValue), "datasets": ["demo.raw"], "files": [{"lfn": "/belle/a", "replicas": [{"path": "/tape/belle/a", "site": "KEK", "state": "available", "storage": "tape"}], "size": 1000}], "replicasPerEndpoint": {"KEK_TAPE": 1}, "rules": [\##(rule)]}"##
    ]
    static let usageRow = [##"{"bytes": 3000, "files": 3, "key": "raw", "site": "KEK", "storage": "tape"}"##]
}
