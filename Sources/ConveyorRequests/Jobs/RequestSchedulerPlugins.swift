import ConveyorCore
import ConveyorDataManagement
import ConveyorDataTaking
import ConveyorStore
import ConveyorWorkflow

/// What processing requests plug into the scheduler: the accountant of their job steps, and
/// their central steps (the calibration algorithm loop, the luminosity account).
///
/// ```swift
/// let service = SchedulerService(store: store, jobRoot: root, plugins: .requests(store: store))
/// ```
extension SchedulerPlugins {
    /// - Throws: when `CONVEYOR_RUCIO_*` names a Rucio that cannot be configured (never a silent fall back to the embedded engine).
    public static func requests(store: Store) throws(ConveyorError) -> SchedulerPlugins {
        SchedulerPlugins(
            accountants: [RequestJobAccountant.name: RequestJobAccountant(store: store)],
            actions: ["request.calibrate": CalibrationStep(store: store), "request.luminosity": LuminosityActionStep(store: store)],
            background: [
                DataManagementCycles(engine: try DataManagement.configured(store: store).engine), PromptHandshakeCycles(prompt: PromptReco(store: store)),
            ])
    }
}

/// `request.calibrate` (parameters `request`, `calibration`): ``CalibrationRunner``.
struct CalibrationStep: ActionStepRunner {
    let store: Store

    func run(_ step: ActionStep, as actor: Actor) async throws(ConveyorError) -> String {
        try await CalibrationRunner(store: store).run(request: step.parameters["request"] ?? "", calibration: step.parameters["calibration"] ?? "")
    }
}

/// `request.luminosity` (parameter `request`): ``LuminosityStep``.
struct LuminosityActionStep: ActionStepRunner {
    let store: Store

    func run(_ step: ActionStep, as actor: Actor) async throws(ConveyorError) -> String {
        let result = try await LuminosityStep(store: store).run(request: step.parameters["request"] ?? "")
        return result.lines.joined(separator: "; ")
    }
}

/// The data-management engine's cycles beside the scheduler: staging rules recall the inputs the
/// jobs wait for, output rules place what the jobs made.
struct DataManagementCycles: SchedulerBackgroundWork {
    let engine: any DataManagementEngine
    var name: String { "data management (\(engine.name))" }

    func cycle() async throws(ConveyorError) -> Bool {
        try await engine.cycle(at: .now).didWork
    }
}
