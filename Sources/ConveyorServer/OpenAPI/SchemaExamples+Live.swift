extension SchemaExamples {
    static let inboxItem = [
        ##"{"action": "approve or reject (cdc-expert)", "command": "conveyor task signoff 7/signoff:cdc --approve --comment \"…\"", "kind": "signoff", "link": "/workflows/7", "people": ["cdc-expert"], "role": "expert", "since": "2026-12-07T11:03:43.840253Z", "subject": "sign off signoff:cdc of request prompt-b16 (workflow 7)"}"##
    ]
    static let liveConfigurationRow =
        ##"{"actor": "mona", "at": "2026-12-07T11:03:43.840253Z", "configuration": "global:\n  release: release-08-01-00\n", "fileName": "live.yaml", "id": 1}"##
    static let liveConfiguration = [liveConfigurationRow]
    static let liveStream =
        ##"{"expressChunks": 3, "expressFiles": 3, "expressLatencySeconds": 1.26, "producers": [{"at": "2026-12-07T11:04:15.414681Z", "attempts": 0, "detail": "appended to prompt_pcl: BeamSpot from 8:4", "name": "beam", "state": "uploaded"}], "promptRequest": "prompt.e8.r4.physics", "reason": "PromptReco released at 2026-12-09T11:04:15.414681Z", "run": {"exp": 8, "run": 4}, "stage": "released", "stageAt": "2026-12-09T11:04:15.414681Z", "stream": "physics"}"##
    static let liveStatus = [
        ##"{"configuration": \##(liveConfigurationRow), "handshake": \##(promptStatus[0]), "streams": [\##(liveStream)]}"##
    ]
    static let liveRunDetail = [
        ##"{"events": [{"at": "2026-12-07T11:03:46.015990Z", "reason": "run tracked", "run": {"exp": 8, "run": 12}, "stage": "open", "stream": "physics"}], "prompt": \##(promptRunDetail[0]), "streams": [\##(liveStream)]}"##
    ]
}
