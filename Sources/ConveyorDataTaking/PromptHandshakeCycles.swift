import ConveyorCore
import ConveyorWorkflow

/// The handshake's cycles beside the scheduler, under its lease: runs are locked and released
/// while a scheduler runs, by one process at a time.
public struct PromptHandshakeCycles: SchedulerBackgroundWork {
    let prompt: PromptReco

    public init(prompt: PromptReco) {
        self.prompt = prompt
    }

    public var name: String { "PromptReco handshake" }

    public func cycle() async throws(ConveyorError) -> Bool {
        try await prompt.cycle().didWork
    }
}
