extension SchemaExamples {
    static let notificationPreferences = [
        ##"{"email": true, "chat": false, "digest": true, "kinds": ["signoff", "run_to_certify"]}"##
    ]
    static let requestTurnaround = [
        ##"{"request": "prompt-b16", "campaign": "prompt", "submittedBy": "mona", "turnaround": {"start": "2026-12-07T09:00:00.000000Z", "end": "2026-12-07T15:00:00.000000Z", "finished": true, "wallSeconds": 21600, "parts": {"compute": 7200, "batchSlots": 1800, "data": 900, "people": 10800, "other": 900}, "signoffs": [{"task": "signoff:cdc", "kind": "sign-off", "who": "cdc-expert", "ready": "2026-12-07T10:00:00.000000Z", "decided": "2026-12-07T13:00:00.000000Z", "waitedSeconds": 10800}, {"task": "calibrate:ecl", "kind": "paused", "who": null, "ready": "2026-12-07T14:00:00.000000Z", "decided": null, "waitedSeconds": 3600}]}}"##
    ]
    static let runTurnaround = [
        ##"{"run": {"exp": 8, "run": 12}, "closed": "2026-12-05T02:00:00.000000Z", "calibrated": "2026-12-05T20:00:00.000000Z", "released": "2026-12-07T02:00:00.000000Z", "certified": "2026-12-07T09:30:00.000000Z", "postponedSeconds": 3600}"##,
        ##"{"run": {"exp": 8, "run": 13}, "closed": null, "calibrated": null, "released": null, "certified": null, "postponedSeconds": 0}"##,
    ]
    static let note = [
        ##"{"id": 4, "subject": {"kind": "run", "name": "8:12"}, "kind": "problem", "author": "carol", "at": "2026-12-07T14:03:43.840253Z", "text": "ECL crate 3 noisy from 02:10", "resolvedAt": "2026-12-07T15:03:43.840253Z", "resolvedBy": "erik", "resolution": "crate masked; run flagged BAD for ECL"}"##,
        ##"{"id": 5, "subject": {"kind": "request", "name": "prompt-b16"}, "kind": "note", "author": "mona", "at": "2026-12-07T14:03:43.840253Z", "text": "waiting for the CDC expert, back Monday", "resolvedAt": null, "resolvedBy": null, "resolution": null}"##,
    ]
    static let notificationOutbox = [
        ##"{"counts": {"pending": 1, "sent": 12, "failed": 0, "skipped": 1}, "messages": [{"id": 14, "eventID": 3, "recipient": "carol", "channel": "email", "purpose": "reminder", "address": "carol@lab.test", "subject": "[Conveyor] Reminder: run 8:1 is postponed: noisy CDC", "body": "Hello carol,\n…", "state": "pending", "attempts": 2, "nextAttemptAt": "2026-12-07T15:03:43.840253Z", "lastError": "cannot connect to SMTP smtp.lab:25", "createdAt": "2026-12-07T14:03:43.840253Z", "sentAt": null}, {"id": 13, "eventID": null, "recipient": "carol", "channel": "chat", "purpose": "digest", "address": "@carol", "subject": "[Conveyor] 2 things wait for you (2026-12-07)", "body": "@carol …", "state": "sent", "attempts": 1, "nextAttemptAt": "2026-12-07T07:00:01.000000Z", "lastError": null, "createdAt": "2026-12-07T07:00:01.000000Z", "sentAt": "2026-12-07T07:00:02.000000Z"}], "withoutEmail": ["frank"], "signInFailures": [{"at": "2026-12-07T14:01:00.000000Z", "user": "bob", "address": "10.0.0.7", "reason": "wrong password"}]}"##
    ]
}
