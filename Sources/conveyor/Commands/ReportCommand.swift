import ArgumentParser
import ConveyorCore
import ConveyorDataTaking
import ConveyorRequests
import ConveyorServer
import Foundation

/// `conveyor report`: reports across requests.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Reports across requests.", subcommands: [Turnaround.self])

    struct Turnaround: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Where each request's wall time went: compute, batch slots, data (staging), people (sign-offs, paused tasks), other.",
            discussion:
                "Each moment counts once, for the first of compute, people, data and batch slots that was happening, so the parts add up to the wall time.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Only this campaign (prompt, express, procN, …).") var campaign: String?
        @Option(help: "Only requests submitted since (ISO 8601, e.g. 2026-12-01).") var since: String?
        @Option(help: "Also write the stacked bars as an SVG file.") var plot: String?
        @Flag(help: "Runs instead of requests: from the end of data taking to calibrated, released and certified (seed 002's figure).") var runs = false

        func run() async throws {
            if runs { return try await runReport() }
            let since = try since.map { text throws(ConveyorError) in try Timestamp(parsing: text) }
            if let plot, !plot.lowercased().hasSuffix(".svg") { throw ConveyorError.invalidInput("--plot writes SVG: give a FILE.svg") }
            let rows = try await global.withStore { store in try await Requests(store: store).turnarounds(campaign: campaign, since: since) }
            if let plot {
                do { try TurnaroundChart.svg(for: rows).write(toFile: plot, atomically: true, encoding: .utf8) } catch {
                    throw ConveyorError.invalidInput("cannot write \(plot): \(error.localizedDescription)")
                }
            }
            if output.json { return try Output.json(rows) }
            guard !rows.isEmpty else { return Output.line("no requests\(campaign.map { " in campaign \($0)" } ?? "")") }
            Output.table(
                ["REQUEST", "CAMPAIGN", "WALL", "COMPUTE", "BATCH SLOTS", "DATA", "PEOPLE", "OTHER", "LONGEST WAIT FOR PEOPLE"],
                rows.map { row in
                    let t = row.turnaround
                    let longest = t.signoffs.max { $0.waitedSeconds < $1.waitedSeconds }
                    return [
                        row.request, row.campaign, TurnaroundChart.duration(t.wallSeconds) + (t.finished ? "" : " so far"), Self.part(t.parts.compute, t),
                        Self.part(t.parts.batchSlots, t), Self.part(t.parts.data, t), Self.part(t.parts.people, t), Self.part(t.parts.other, t),
                        longest.map { "\($0.task) \(TurnaroundChart.duration($0.waitedSeconds))\($0.who.map { " (\($0))" } ?? " (waiting)")" } ?? "-",
                    ]
                })
            if let plot { Output.line("plot: \(plot)") }
        }

        func runReport() async throws {
            let rows = try await global.withStore { store in try await PromptReco(store: store).runTurnarounds() }
            if output.json { return try Output.json(rows) }
            guard !rows.isEmpty else { return Output.line("no runs tracked by the prompt handshake") }
            func span(_ seconds: Double?) -> String { seconds.map(TurnaroundChart.duration) ?? "-" }
            Output.table(
                ["RUN", "DATA TAKEN (END)", "→ CALIBRATED", "→ RELEASED", "→ CERTIFIED", "POSTPONED (PEOPLE)"],
                rows.map { r in
                    [
                        r.run.description, r.closed?.short ?? "taking", span(r.toCalibratedSeconds), span(r.toReleasedSeconds), span(r.toCertifiedSeconds),
                        r.postponedSeconds > 0 ? TurnaroundChart.duration(r.postponedSeconds) : "-",
                    ]
                })
            let medians = [
                ("calibrated", RunTurnaround.median(rows.compactMap(\.toCalibratedSeconds))),
                ("released", RunTurnaround.median(rows.compactMap(\.toReleasedSeconds))),
                ("certified", RunTurnaround.median(rows.compactMap(\.toCertifiedSeconds))),
            ]
            Output.line("median from data taken to " + medians.map { "\($0.0) \(span($0.1))" }.joined(separator: ", "))
        }

        static func part(_ seconds: Double, _ t: ConveyorCore.Turnaround) -> String {
            t.wallSeconds > 0 ? "\(TurnaroundChart.duration(seconds)) (\(Int((100 * seconds / t.wallSeconds).rounded())) %)" : "-"
        }
    }
}
