import ConveyorCore
import ConveyorRequests
import ConveyorStore
import Foundation

extension LiveFeeder {
    /// PromptReco of a released run stream: one request per run and stream, with the prompt tags
    /// (the handshake released the run, so its conditions are locked), and whether it is done.
    /// A run flagged BAD by then gets none. - Returns: how many requests it submitted.
    func prompt(
        _ stream: inout LiveStream, _ settings: DataTakingConfiguration.Stream, _ configuration: DataTakingConfiguration,
        _ facts: inout LiveStreamMachine.Facts, quality: QualityFlag?, now: Timestamp
    ) async throws(ConveyorError) -> Int {
        guard let outputs = settings.promptReco else { return 0 }
        let name = LiveStream.promptRequestName(stream.run, stream: stream.stream)
        guard let request = stream.promptRequest else {
            if quality == .bad {
                facts.promptSkipped = "run \(stream.run) is flagged BAD"
                return 0
            }
            let switches = PromptSwitches(try await store.read { try await $0.promptSwitches() })
            if let stopped = switches.stopReason(forStream: stream.stream) {
                if stream.reason != stopped {
                    stream.reason = stopped
                    try await record(stream, event: "prompt", "\(name) held: \(stopped)", at: now)
                }
                return 0
            }
            var input: [String: Any] = ["level": "raw"]
            if !settings.dataTags.isEmpty { input["selection"] = settings.dataTags }
            var body: [String: Any] = [
                "name": name, "campaign": "prompt", "runs": "\(stream.run.exp):\(stream.run.run)-\(stream.run.run)", "release": configuration.release,
                "input": input,
                "outputs": outputs.outputs.map(\.rawValue), "global_tags": configuration.promptTags, "prompt_tag": configuration.promptTags[0],
                "sites": [Self.site(configuration.site)], "output_base": configuration.outputBase,
            ]
            var commands = ["reconstruction": configuration.commands.reconstruction]
            if let quality = configuration.commands.quality { commands["quality"] = quality }
            if !outputs.skims.isEmpty, let skim = configuration.commands.skim {
                commands["skim"] = skim
                body["skims"] = outputs.skims
            }
            body["commands"] = commands
            do throws(ConveyorError) {
                _ = try await Requests(store: store).submit(try Self.json(body), name: "\(name).json", by: actor)
            } catch .conflict(let message) where message.contains("is running") || message.contains("already processed") {
                // Submitted by a cycle that did not live to record it.
            } catch {
                if stream.reason != "PromptReco not submitted: \(error.message)" {
                    stream.reason = "PromptReco not submitted: \(error.message)"
                    try await record(stream, event: "prompt", "\(name) not submitted, tried again next cycle: \(error.message)", at: now)
                }
                return 0
            }
            stream.promptRequest = name
            try await record(stream, event: "prompt", "\(name) submitted", at: now)
            return 1
        }
        let state = try await store.read { try await $0.requestWorkflowStates([request]) }[request] ?? nil
        facts.promptDone = state == WorkflowState.succeeded.rawValue
        return 0
    }
}
