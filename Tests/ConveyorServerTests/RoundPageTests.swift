import ConveyorCore
import ConveyorSkims
import Foundation
import Testing

@testable import ConveyorServer

/// The round's page as a shifter or liaison reads it: the selections with why any was
/// unsubscribed, the overlap heat map, the streams with their shares and any accepted breach.
@Suite struct RoundPageTests {
    @Test func theRoundPageShowsSelectionsOverlapsAndStreams() throws {
        var a = EventSet(size: 100), b = EventSet(size: 100)
        for i in 0..<40 { a.insert(i) }
        for i in 30..<34 { b.insert(i) }
        let members = [StreamGrouping.Member(name: "d0_kpi", group: "charm", events: a), StreamGrouping.Member(name: "d<s>", group: "charm", events: b)]
        let grouping = StreamGrouping(streams: [.init(name: "charm", selections: ["d0_kpi", "d<s>"])])
        let limits = RoundLimits()
        let figures = try grouping.evaluate(members, limits: limits)
        let now = Timestamp.now
        func row(_ name: String, _ state: RoundSubscription.State, _ reason: String, _ kept: EventSet) -> StrippingRounds.RoundReport.Row {
            .init(
                selection: Selection(name: name, group: "charm", coordinator: "alice", command: "sel", version: "v1"),
                subscription: RoundSubscription(round: "s1", selection: name, state: state, reason: reason, at: now, by: "x"),
                test: SelectionTestResult(selection: name, eventsIn: 100, selected: Int64(kept.count), cpuSeconds: 0.01, outputBytes: 100, events: kept),
                stream: state == .subscribed ? "charm" : nil)
        }
        let round = StrippingRound(
            name: "s1", input: "prompt-b1", release: "r1", globalTags: ["prompt"], program: "strip", state: .tested, grouping: grouping,
            groupingReason: "small sample")
        let report = StrippingRounds.RoundReport(
            round: round,
            selections: [
                row("d0_kpi", .subscribed, "charm group", a), row("d<s>", .subscribed, "charm group", b),
                row("greedy", .unsubscribed, "automatic test on 3 run(s), 100 events: retention 60.0 % > limit 10.0 %", EventSet(size: 100)),
            ], streams: figures, history: [], totalRetention: 0.4, overBudget: nil)
        let html = RoundPage(report: report, overlaps: OverlapMatrix(members), actor: nil).body.rendered
        #expect(html.contains("retention 60.0 % &gt; limit 10.0 %"), "\(html)")
        #expect(html.contains("<svg id=\"overlaps\""))
        // d<s>'s 4 events are all d0_kpi's: its row in the matrix says 100 %; names are escaped in the SVG.
        #expect(html.contains("<title>d&lt;s&gt; in d0_kpi: 100 %</title>"), "\(html)")
        #expect(!html.contains("d<s>"))
        #expect(html.contains("d&lt;s&gt; 10.0 %") && html.contains("Duplication factor 1"), "\(html)")
        // Exactly 10 % is within the rule: no breach to accept.
        #expect(figures.warnings.isEmpty && !html.contains("Accepted:"))
    }
}
