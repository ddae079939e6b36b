import ConveyorCore
import ConveyorDataTaking
import ConveyorLive

/// `/data-taking`: the first condition-safe run, the switches, and a row per recent run with its
/// timeline through the handshake (end, lock, release) and what waits for a person. It reloads
/// itself every 30 s.
struct DataTakingPage: Page {
    let status: PromptReco.Status
    /// The run streams of live data taking, when a configuration is in force.
    let live: LiveDataTaking.Status?
    let actor: Actor?
    let title = "Data taking"
    var refreshSeconds: Int? { 30 }

    static func time(_ t: Timestamp?) -> HTML { t.map { "\($0.short)" } ?? "<span class=\"muted\">–</span>" }

    var body: HTML {
        let stops = status.switches.filter(\.stopped)
        let switches: HTML =
            stops.isEmpty
            ? "<p id=\"switches\">PromptReco release is <b>on</b>.</p>"
            : "<ul id=\"switches\">\(stops.map { "<li class=\"stopped\"><b>stopped</b> (\($0.scope)) by \($0.actor) at \($0.at.short): \($0.reason)</li>" as HTML })</ul>"
        let canSwitch = (actor?.role ?? .viewer) >= .manager
        let switchForm: HTML =
            canSwitch
            ? """
            <form method="post" action="/data-taking/switch" id="switch-form">
            <input type="text" name="run" placeholder="EXP:RUN or stream:NAME (empty: all)"> <input type="text" name="reason" placeholder="Why" required>
            <button name="action" value="stop" class="reject">Stop release</button> <button name="action" value="resume">Resume</button>
            </form>
            """ : ""
        let waiting = status.runs.filter { $0.disposition == .postponed && $0.releasedAt == nil }
        let people: HTML =
            waiting.isEmpty
            ? "" : "<p id=\"waits\">Waiting for a shifter: \(waiting.map { "<a href=\"/data-taking/runs/\($0.run)\">\($0.run)</a> " as HTML })</p>"
        let rows = status.runs.map { run -> HTML in
            let note = run.dispositionReason ?? run.closeReason ?? ""
            return
                "<tr><td><a href=\"/data-taking/runs/\(run.run)\">\(run.run)</a></td><td><span class=\"state\">\(run.stage)</span></td><td>\(Self.time(run.start))</td><td>\(Self.time(run.lastFileAt))</td><td>\(Self.time(run.effectiveEnd))</td><td>\(Self.time(run.calibratedAt))</td><td>\(Self.time(run.lockedAt))</td><td>\(Self.time(run.releasedAt))</td><td>\(note)</td></tr>"
        }
        let settings = status.settings
        let streams = live.map(Self.streamTable) ?? ""
        return """
            <p class="card" id="fcsr">First condition-safe run: <b>\(status.fcsr?.description ?? "none")</b> \
            <span class="muted">(tracking \(status.trackFrom.map { "from \($0)" } ?? "off")\(status.cycledAt.map { ", last cycle \($0.short)" } ?? ""); \
            release \(Self.hours(settings.delaySeconds)) after a run's end, locked \(Self.hours(settings.lockOffsetSeconds)) before, \
            early after \(Self.hours(settings.minimumDelaySeconds)) once calibrated; a run without an end record is closed after \(Self.hours(settings.closeAfterSeconds)))</span></p>
            \(switches)\(switchForm)\(people)
            \(streams)
            <h2>Runs in the handshake</h2>
            <table id="prompt-runs"><thead><tr><th>Run</th><th>Stage</th><th>Start</th><th>Last file</th><th>End</th><th>Calibrated</th><th>Locked</th><th>Released</th><th>Note</th></tr></thead><tbody>\(rows)</tbody></table>
            <p class="muted">Runs lock in strict order; no later conditions change for a locked run. Conditions for PromptReco go into tags with a synchronisation type (<code>conveyor gt sync TAG prompt</code>, <code>conveyor payload append</code>).</p>
            """
    }

    /// The main line of a run stream, each stage marked once reached.
    static let line: [(LiveStage, String)] = [
        (.open, "arrived"), (.closed, "closed"), (.express_done, "express"), (.harvested, "harvested"), (.uploaded, "uploaded"), (.locked, "locked"),
        (.released, "released"), (.prompt_done, "PromptReco"), (.certified, "certified"),
    ]

    static func timeline(_ stage: LiveStage) -> HTML {
        if stage == .abandoned { return "<span class=\"state\">abandoned</span>" }
        let reached = stage == .postponed ? LiveStage.uploaded.rank : stage.rank
        let cells = line.map { step, label -> HTML in
            step.rank <= reached ? "<span class=\"done\">\(label)</span>" : "<span class=\"muted\">\(label)</span>"
        }
        return "\(cells.map { "\($0) " as HTML })\(stage == .postponed ? "<b class=\"stopped\">postponed</b>" as HTML : "")"
    }

    static func streamTable(_ live: LiveDataTaking.Status) -> HTML {
        let rows = live.streams.map { s -> HTML in
            let express =
                "\(s.expressFiles) file(s) in \(s.expressChunks)" + (s.expressLatencySeconds.map { String(format: ", %.1f s after the last file", $0) } ?? "")
            let producers = s.producers.map { "\($0.name): \($0.state)" }.joined(separator: ", ")
            let prompt: HTML = s.promptRequest.map { "<a href=\"/requests/\($0)\">\($0)</a>" } ?? ""
            return
                "<tr><td><a href=\"/data-taking/runs/\(s.run)\">\(s.run)</a></td><td>\(s.stream)</td><td class=\"timeline\">\(timeline(s.stage))</td><td>\(express)</td><td>\(producers)</td><td>\(prompt)</td><td>\(s.stageAt.short): \(s.reason)</td></tr>"
        }
        let configured: HTML =
            live.configuration.map {
                "<p class=\"muted\">Data-taking configuration \($0.id) (\($0.fileName)), in force since \($0.at.short), by \($0.actor).</p>"
            }
            ?? "<p class=\"muted\">No data-taking configuration is in force (<code>conveyor live configure FILE</code>): no express, calibration loop or PromptReco per run.</p>"
        return """
            <h2>Run streams</h2>\(configured)
            <table id="run-streams"><thead><tr><th>Run</th><th>Stream</th><th>Stage</th><th>Express</th><th>Calibrations</th><th>PromptReco</th><th>Last step</th></tr></thead><tbody>\(rows)</tbody></table>
            """
    }

    static func hours(_ seconds: Double) -> String {
        seconds >= 3_600 ? "\((seconds / 3_600).formatted()) h" : seconds >= 60 ? "\((seconds / 60).formatted()) min" : "\(seconds.formatted()) s"
    }
}

/// `/data-taking/runs/EXP:RUN`: one run's way through the handshake, with a shifter's buttons.
struct PromptRunPage: Page {
    let detail: PromptRunDetail
    /// Its streams and their events, when live data taking tracks it.
    let live: LiveDataTaking.RunDetail?
    let actor: Actor?
    var title: String { "Run \(detail.run.run) · PromptReco" }

    var body: HTML {
        let run = detail.run
        let events = detail.events.map { "<tr><td>\($0.at.short)</td><td>\($0.stage)</td><td>\($0.reason)</td><td>\($0.actor)</td></tr>" as HTML }
        let canDecide = (actor?.role ?? .viewer) >= .expert && run.releasedAt == nil && run.disposition != .abandoned
        let form: HTML =
            canDecide
            ? """
            <form method="post" action="/data-taking/runs/\(run.run)/disposition" id="disposition-form">
            <input type="text" name="reason" placeholder="What the shifter found" required>
            <button name="disposition" value="postponed" class="reject">Postpone</button> <button name="disposition" value="abandoned" class="reject">Abandon</button> <button name="disposition" value="normal">Go on</button>
            </form>
            """ : ""
        return """
            <p class="card">Stage: <b id="stage">\(run.stage)</b>\(run.dispositionReason.map { " — \($0)" as HTML } ?? "") · <a href="/runs/\(run.run.exp)/\(run.run.run)">the run in the registry</a> · <a href="/data-taking">all runs</a></p>
            \(form)
            \(liveSection)
            <h2>Handshake</h2>
            <table id="events"><thead><tr><th>When</th><th>Stage</th><th>Why</th><th>By</th></tr></thead><tbody>\(events)</tbody></table>
            """
    }

    var liveSection: HTML {
        guard let live, !live.streams.isEmpty else { return "" }
        let streams = live.streams.map { s -> HTML in
            let producers = s.producers.map { "<li>\($0.name): <b>\($0.state)</b> \($0.detail)</li>" as HTML }
            let prompt: HTML = s.promptRequest.map { " · PromptReco <a href=\"/requests/\($0)\">\($0)</a>" } ?? ""
            let express: HTML =
                s.expressChunks == 0
                ? ""
                : " · express: \((0..<s.expressChunks).map { "<a href=\"/requests/\(LiveStream.expressRequestName(s.run, stream: s.stream, chunk: $0))\">\($0)</a> " as HTML })"
            return "<div class=\"card\"><p><b>\(s.stream)</b>: \(DataTakingPage.timeline(s.stage))\(express)\(prompt)</p><ul>\(producers)</ul></div>"
        }
        let events = live.events.map { "<tr><td>\($0.at.short)</td><td>\($0.stream)</td><td>\($0.stage)</td><td>\($0.reason)</td></tr>" as HTML }
        return """
            <h2>Streams</h2>\(streams)
            <table id="stream-events"><thead><tr><th>When</th><th>Stream</th><th>Step</th><th>Why</th></tr></thead><tbody>\(events)</tbody></table>
            """
    }
}
