/// The one stylesheet every page shares, served at `/assets/conveyor.css`.
enum Stylesheet {
    static let css = """
        :root { --ink: #1d2433; --muted: #5b6478; --line: #d9dde6; --accent: #1f5fae; --bad: #a4262c; --bg: #f6f7f9; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: var(--bg); }
        header { display: flex; align-items: center; gap: 2rem; padding: .6rem 1.5rem; background: var(--ink); color: #fff; }
        header a { color: #fff; text-decoration: none; }
        header .brand { font-weight: 700; letter-spacing: .02em; }
        header nav a { margin-right: 1.2rem; opacity: .85; }
        header nav a:hover { opacity: 1; }
        header .session { margin-left: auto; font-size: .9rem; }
        main { max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
        h1 { font-size: 1.4rem; margin: .8rem 0 1rem; }
        h2 { font-size: 1.1rem; margin: 1.6rem 0 .6rem; }
        table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); }
        th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { background: #eef1f5; font-weight: 600; font-size: .85rem; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr)); gap: .8rem; }
        .card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .8rem 1rem; }
        .card .count { font-size: 1.8rem; font-weight: 600; }
        .card .kind { color: var(--muted); }
        .muted { color: var(--muted); }
        .timeline .done { color: var(--good, #1a7f37); font-weight: 600; }
        .stopped { color: var(--bad); }
        .error { color: var(--bad); font-weight: 600; }
        form.inline { display: inline; }
        button, input[type=submit] { font: inherit; padding: .3rem .8rem; border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: 4px; cursor: pointer; }
        header button { background: transparent; border-color: #fff; padding: .1rem .5rem; }
        input[type=password], input[type=text] { font: inherit; padding: .3rem .5rem; border: 1px solid var(--line); border-radius: 4px; width: 28rem; max-width: 100%; }
        code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .9em; }
        """
}

extension Stylesheet {
    /// The conditions pages' additions.
    static let conditions = """
        .filters { margin: 0 0 1rem; display: flex; gap: .5rem; }
        select { font: inherit; padding: .3rem; }
        .state { font-size: .8rem; font-weight: 600; padding: .05rem .4rem; border-radius: 3px; background: #e4e7ee; }
        .state-open { background: #dbe9ff; } .state-running { background: #d8f3dc; } .state-published { background: #fde2b8; }
        .state-invalid { background: #f7d4d4; } .state-validated { background: #e6dcfa; } .state-testing { background: #f0f0c8; }
        .ok { color: #23703a; font-weight: 600; }
        .iov-chart { background: #fff; border: 1px solid var(--line); }
        .iov-chart .tick { font-size: 10px; fill: var(--muted); }
        .iov-chart .grid { stroke: #eef0f4; }
        .iov-chart .name { font-size: 12px; fill: var(--ink); }
        .iov-chart .rev { font-size: 10px; fill: #1d2433; }
        tr.added td:first-child { color: #23703a; } tr.removed td:first-child { color: var(--bad); } tr.changed td:first-child { color: #8a5a00; }
        """
}

extension Stylesheet {
    /// The run pages' additions.
    static let runs = """
        .flag { font-size: .8rem; font-weight: 600; padding: .05rem .4rem; border-radius: 3px; background: #e4e7ee; }
        .flag-good { background: #d8f3dc; } .flag-bad { background: #f7d4d4; } .flag-recoverable { background: #fde2b8; }
        .lumi-plot { background: #fff; border: 1px solid var(--line); margin-bottom: 1rem; }
        .lumi-plot .axis { stroke: var(--muted); } .lumi-plot .lumi { fill: none; stroke: var(--accent); stroke-width: 2; }
        .lumi-plot .tick { font-size: 11px; fill: var(--muted); }
        """
}

extension Stylesheet {
    /// The workflow pages' additions: one colour per task state, used by the graph, bars and badges.
    static let workflows = """
        .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; }
        svg.turnaround { max-width: 100%; height: auto; }
        .charts { display: flex; flex-wrap: wrap; gap: 12px; } .charts figure { margin: 0; } svg.monitoring { max-width: 100%; height: auto; }
        .verdict-bad { color: #b71c1c; font-weight: 600; } .verdict-warning { color: #e65100; } .verdict-not_comparable { color: #777; }
        #notes li.problem { border-left: 3px solid #c62828; padding-left: 6px; }
        .state { font-size: .8rem; font-weight: 600; padding: .05rem .4rem; border-radius: 3px; background: #e4e7ee; }
        .st-succeeded, .at-succeeded { background: #d8f3dc; fill: #d8f3dc; } .st-failed, .st-upstream_failed, .at-failed { background: #f7d4d4; fill: #f7d4d4; }
        .st-running, .st-submitted, .at-running, .at-submitted { background: #cfe2ff; fill: #cfe2ff; } .st-ready { background: #e8f0fe; fill: #e8f0fe; }
        .st-cooloff, .st-paused { background: #fde2b8; fill: #fde2b8; } .st-awaiting_signoff { background: #f3e1ff; fill: #f3e1ff; }
        .st-skipped, .st-cancelled, .at-cancelled { background: #eceff3; fill: #eceff3; } .st-pending { background: #fff; fill: #fff; }
        .progress { display: flex; height: .6rem; width: 14rem; border: 1px solid var(--line); border-radius: 3px; overflow: hidden; margin-bottom: .2rem; }
        .progress .seg { display: block; height: 100%; }
        .steps .step { display: grid; grid-template-columns: 12rem 14rem auto; gap: .5rem; align-items: center; font-size: .85rem; }
        td.steps .step { grid-template-columns: 10rem 8rem auto; } td.steps .progress { width: 8rem; }
        .st-done { background: #d8f3dc; } .st-incomplete { background: #fde2b8; } .st-none { background: #fff; }
        .oc-ok { background: #d8f3dc; } .oc-iterate { background: #e8f0fe; } .oc-not_enough_data { background: #fde2b8; } .oc-failure { background: #f7d4d4; }
        #request-form textarea { width: 100%; font-family: ui-monospace, monospace; font-size: .85rem; }
        svg.dag, svg.gantt { background: #fff; border: 1px solid var(--line); max-width: 100%; height: auto; }
        .graph-scroll { overflow-x: auto; max-width: 100%; } .graph-scroll svg.dag { max-width: none; }
        .dag .node rect { stroke: var(--muted); stroke-width: 1; } .dag .edge { stroke: #9aa3b5; stroke-width: 1.2; }
        .dag .label { font-size: 12px; font-weight: 600; fill: var(--ink); } .dag .sub { font-size: 11px; fill: var(--muted); }
        .gantt .label { font-size: 11px; fill: var(--ink); } .gantt .tick { font-size: 10px; fill: var(--muted); } .gantt .bar { stroke: var(--muted); stroke-width: .5; }
        form.signoff { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .6rem .8rem; margin: .4rem 0; }
        form.signoff input[type=text] { width: 22rem; } button.reject { background: var(--bad); border-color: var(--bad); }
        pre { background: #fff; border: 1px solid var(--line); padding: .5rem; overflow-x: auto; max-height: 30rem; }
        """
}

extension Stylesheet {
    /// The data-management pages: fill bars for quota and rule progress, one colour per rule state.
    static let data = """
        .bar { display: inline-block; width: 6rem; height: .6rem; border: 1px solid var(--line); border-radius: 3px; overflow: hidden; vertical-align: middle; background: #fff; }
        .bar span { display: block; height: 100%; background: var(--accent); }
        .badge { font-size: .8rem; font-weight: 600; padding: .05rem .4rem; border-radius: 3px; background: #e4e7ee; margin-right: .2rem; }
        .badge.ok, .badge.available { background: #d8f3dc; } .badge.replicating, .badge.copying { background: #cfe2ff; }
        .badge.stuck, .badge.unavailable { background: #fde2b8; } .badge.suspended, .badge.bad, .badge.lost { background: #f7d4d4; }
        .mc { font-size: .8rem; font-weight: 600; padding: .05rem .4rem; border-radius: 3px; margin-right: .3rem; white-space: nowrap; }
        .mc-requested { background: #eceff3; } .mc-approved { background: #e8f0fe; } .mc-ready { background: #fff3b0; }
        .mc-submitted { background: #cfe2ff; } .mc-produced { background: #c7ecd0; } .mc-released { background: #8fd19e; }
        .mc-rejected, .mc-removed { background: #f7d4d4; } tr.mc-removed td, tr.mc-rejected td { color: var(--muted); }
        """
}
