extension SchemaExamples {
    static let promptRun =
        ##"{"calibratedAt": "2026-12-03T09:25:26.259661Z", "closeReason": "no end record 4 h after its last file: closed at its last file (2026-12-01T09:00:00Z)", "closedAt": "2026-12-01T09:00:00.000000Z", "disposition": "postponed", "dispositionReason": "noisy CDC", "end": "2026-12-01T09:00:00.000000Z", "lastFileAt": "2026-12-01T08:59:00.000000Z", "lockedAt": "2026-12-03T08:30:00.000000Z", "releasedAt": "2026-12-03T09:00:00.000000Z", "run": {"exp": 8, "run": 12}, "start": "2026-12-01T08:00:00.000000Z"}"##
    static let promptStatus = [
        ##"{"cycledAt": "2026-12-03T09:25:26.259661Z", "fcsr": {"exp": 8, "run": 13}, "runs": [\##(promptRun)], "settings": {"closeAfterSeconds": 14400, "delaySeconds": 172800, "lockOffsetSeconds": 1800, "minimumDelaySeconds": 28800}, "switches": [{"actor": "mona", "at": "2026-12-03T09:25:26.259661Z", "reason": "magnet trip", "scope": {"global": {}}, "stopped": true}, {"actor": "mona", "at": "2026-12-03T09:25:26.259661Z", "reason": "beam spot moved", "scope": {"run": {"_0": {"exp": 8, "run": 12}}}, "stopped": false}], "trackFrom": {"exp": 8, "run": 1}}"##
    ]
    static let promptRunDetail = [
        ##"{"events": [{"actor": "prompt-handshake", "at": "2026-12-03T08:30:00.000000Z", "reason": "30 min before its release 48 h after its end", "run": {"exp": 8, "run": 12}, "stage": "locked"}], "run": \##(promptRun)}"##
    ]
    static let appendResult = [
        ##"{"closedIoV": {"expHigh": 8, "expLow": 0, "runHigh": 12, "runLow": 0}, "dryRun": false, "fcsr": {"exp": 8, "run": 13}, "firstRun": {"exp": 8, "run": 13}, "iov": {"expHigh": -1, "expLow": 8, "runHigh": -1, "runLow": 13}, "movedUp": true, "name": "BeamSpot", "payload": {"createdAt": "2026-12-03T09:25:26.259661Z", "creator": "erik", "description": "", "id": 7, "md5": "5d41402abc4b2a76b9719d911017c592", "name": "BeamSpot", "revision": 2, "sha256": "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", "size": 5}, "reason": "pcl: moved up to the first condition-safe run 8:13", "requested": {"exp": 8, "run": 10}, "sync": "pcl", "tag": "prompt"}"##
    ]
}
