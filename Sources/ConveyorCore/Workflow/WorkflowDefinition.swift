/// A DAG of tasks as submitted: read from YAML or JSON, checked before anything runs.
///
/// ```yaml
/// name: calibrate-bucket16
/// tasks:
///   - name: cdc-tracking
///     command: basf2 cdc_calibration.py --run $CONVEYOR_ARRAY_INDEX
///     array: 40
///     pool: kekcc
///     retries: 2
///   - name: cdc-signoff
///     kind: signoff
///     role: expert
///     depends_on: [cdc-tracking]
/// ```
public struct WorkflowDefinition: Codable, Sendable, Equatable {
    public var name: String
    public var tasks: [TaskDefinition]

    public init(name: String, tasks: [TaskDefinition]) {
        self.name = name
        self.tasks = tasks
    }

    /// The pool job tasks use when they name none.
    public static let defaultPool = "local"

    static let taskKeys: Set<String> = [
        "name", "kind", "command", "commands", "array", "pool", "priority", "retries", "cooloff", "cooloff_cap", "pause_after", "trigger",
        "depends_on", "role", "signers", "on_reject", "wait", "action", "parameters", "time_limit", "description",
        "accountant",
    ]

    /// Reads and checks a definition; every error names the file and key path.
    public init(configuration root: ConfigurationValue) throws(ConveyorError) {
        try root.onlyKeys(["name", "tasks", "description"])
        let name = try root["name"].string()
        guard name.count <= 120 else { throw root["name"].error("at most 120 characters") }
        var tasks: [TaskDefinition] = []
        let items = try root["tasks"].list()
        guard !items.isEmpty else { throw root["tasks"].error("a workflow needs at least one task") }
        for item in items { tasks.append(try Self.task(item)) }
        self.init(name: name, tasks: tasks)
        try validate(file: root.file)
    }

    static func task(_ t: ConfigurationValue) throws(ConveyorError) -> TaskDefinition {
        try t.onlyKeys(taskKeys)
        let name = try t["name"].string()
        guard name.count <= 200, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.:".contains($0) }) else {
            throw t["name"].error("a task name is 1–200 letters, digits, '-', '_', '.' or ':'")
        }
        let kind = try t["kind"].named(TaskKind.self, default: .job)
        var task = TaskDefinition(name: name, kind: kind)
        task.priority = try t["priority"].int(default: 0)
        task.trigger = try t["trigger"].named(TriggerRule.self, default: .all_success)
        task.dependsOn = try t["depends_on"].strings()
        let pauseAfter: Int? = t["pause_after"].isMissing ? nil : try t["pause_after"].int(minimum: 1)
        task.retry = RetryPolicy(
            limit: try t["retries"].int(default: 0, minimum: 0), cooloffBase: try t["cooloff"].double(default: 10, minimum: 0),
            cooloffCap: try t["cooloff_cap"].double(default: 3_600, minimum: 0), pauseAfter: pauseAfter)
        switch kind {
        case .job:
            let single = t["command"], many = t["commands"]
            if !single.isMissing, !many.isMissing { throw t.error("give either command or commands, not both") }
            if !many.isMissing {
                task.commands = try many.strings()
                guard !task.commands.isEmpty else { throw many.error("needs at least one command") }
                if !t["array"].isMissing { throw t["array"].error("array goes with command; commands already lists each element") }
            } else {
                let command = try single.string()
                let count = try t["array"].int(default: 1, minimum: 1)
                guard count <= 1_000_000 else { throw t["array"].error("at most 1,000,000 elements") }
                task.commands = Array(repeating: command, count: count)
            }
            task.pool = try t["pool"].string(default: defaultPool)
            if !t["time_limit"].isMissing { task.timeLimitSeconds = try t["time_limit"].int(minimum: 1) }
            if !t["accountant"].isMissing { task.accountant = try t["accountant"].string() }
        case .signoff:
            task.role = try t["role"].named(Role.self)
            if !t["signers"].isMissing {
                let names = try t["signers"].strings().map { $0.trimmingCharacters(in: .whitespaces) }
                guard !names.isEmpty, names.allSatisfy({ !$0.isEmpty }) else { throw t["signers"].error("name at least one user") }
                task.signers = names
            }
            task.onReject = try t["on_reject"].named(RejectionEffect.self, default: .fail)
        case .wait:
            task.wait = try waitCondition(t["wait"])
        case .action:
            let step = t["action"]
            var parameters: [String: String] = [:]
            if !t["parameters"].isMissing {
                for key in try t["parameters"].keys() { parameters[key] = try t["parameters"][key].string() }
            }
            task.action = ActionStep(name: try step.string(), parameters: parameters)
        }
        for key in ["command", "commands", "array", "pool", "time_limit", "accountant"] where kind != .job && !t[key].isMissing {
            throw t[key].error("only job tasks take \(key)")
        }
        for key in ["role", "signers", "on_reject"] where kind != .signoff && !t[key].isMissing { throw t[key].error("only sign-off tasks take \(key)") }
        if kind != .wait, !t["wait"].isMissing { throw t["wait"].error("only wait tasks take wait") }
        if kind != .action, !t["action"].isMissing || !t["parameters"].isMissing { throw t["action"].error("only action tasks take action and parameters") }
        return task
    }

    static func waitCondition(_ w: ConfigurationValue) throws(ConveyorError) -> WaitCondition {
        try w.onlyKeys(["until", "run_ended", "delay_hours", "files_on_disk", "site", "path_exists", "prompt_released"])
        if !w["until"].isMissing {
            do { return .until(try Timestamp(parsing: try w["until"].string())) } catch { throw w["until"].error(error.message) }
        }
        if !w["run_ended"].isMissing {
            let run: ExpRun
            do { run = try ExpRun(parsing: try w["run_ended"].string()) } catch { throw w["run_ended"].error(error.message) }
            return .runEnded(run, delayHours: try w["delay_hours"].double(default: 0, minimum: 0))
        }
        if !w["files_on_disk"].isMissing {
            return .filesOnDisk(site: try w["site"].string(), lfns: try w["files_on_disk"].strings())
        }
        if !w["path_exists"].isMissing { return .pathExists(try w["path_exists"].string()) }
        if !w["prompt_released"].isMissing {
            var runs: [ExpRun] = []
            for text in try w["prompt_released"].strings() {
                do { runs.append(try ExpRun(parsing: text)) } catch { throw w["prompt_released"].error(error.message) }
            }
            return .promptReleased(runs: runs)
        }
        throw w.error("give one of until, run_ended (with delay_hours), files_on_disk (with site), path_exists, prompt_released")
    }

    /// Names unique, dependencies known, no cycle.
    public func validate(file: String = "workflow") throws(ConveyorError) {
        var index: [String: Int] = [:]
        for (i, task) in tasks.enumerated() {
            guard index[task.name] == nil else { throw .invalidInput("\(file): tasks[\(i)].name: '\(task.name)' is used by tasks[\(index[task.name]!)] too") }
            index[task.name] = i
        }
        for (i, task) in tasks.enumerated() {
            for (j, dependency) in task.dependsOn.enumerated() {
                guard index[dependency] != nil else {
                    throw .invalidInput("\(file): tasks[\(i)].depends_on[\(j)]: unknown task '\(dependency)'")
                }
                guard dependency != task.name else { throw .invalidInput("\(file): tasks[\(i)].depends_on[\(j)]: a task cannot depend on itself") }
            }
        }
        if let cycle = findCycle(index: index) {
            throw .invalidInput("\(file): tasks form a cycle: \(cycle.joined(separator: " → "))")
        }
        try validateMoves(index: index, file: file)
    }

    /// Moves name job elements that exist, from a staging wait, onto reserves of the same count.
    private func validateMoves(index: [String: Int], file: String) throws(ConveyorError) {
        func check(_ element: ElementMove.Element, _ at: String) throws(ConveyorError) {
            guard let i = index[element.task], tasks[i].kind == .job else { throw .invalidInput("\(file): \(at): '\(element.task)' is not a job task") }
            guard tasks[i].commands.indices.contains(element.index) else {
                throw .invalidInput("\(file): \(at): \(element.task) has no element \(element.index)")
            }
        }
        let reserves = Dictionary(tasks.compactMap { t in t.standby.map { (t.name, Set($0)) } }, uniquingKeysWith: { a, _ in a })
        for (i, task) in tasks.enumerated() {
            for (j, element) in (task.standby ?? []).enumerated() where !task.commands.indices.contains(element) {
                throw .invalidInput("\(file): tasks[\(i)].standby[\(j)]: \(task.name) has no element \(element)")
            }
            guard let moves = task.moves, !moves.isEmpty else { continue }
            guard case .filesOnDisk = task.wait else { throw .invalidInput("\(file): tasks[\(i)].moves: only a wait for files on disk moves elements") }
            for (m, move) in moves.enumerated() {
                for element in move.elements { try check(element, "tasks[\(i)].moves[\(m)]") }
                for target in move.targets {
                    guard target.elements.count == move.elements.count else {
                        throw .invalidInput(
                            "\(file): tasks[\(i)].moves[\(m)]: \(target.site) holds \(target.elements.count) reserve(s) for \(move.elements.count) element(s)")
                    }
                    for element in target.elements {
                        try check(element, "tasks[\(i)].moves[\(m)]")
                        guard reserves[element.task]?.contains(element.index) == true else {
                            throw .invalidInput("\(file): tasks[\(i)].moves[\(m)]: \(element.task) element \(element.index) is not held in reserve")
                        }
                    }
                }
            }
        }
    }

    /// A cycle as task names (first repeated at the end), or nil. Iterative, so deep chains are fine.
    private func findCycle(index: [String: Int]) -> [String]? {
        var color = [UInt8](repeating: 0, count: tasks.count)  // 0 new, 1 on the path, 2 done
        for start in tasks.indices where color[start] == 0 {
            var stack: [(task: Int, next: Int)] = [(start, 0)]
            color[start] = 1
            while let top = stack.last {
                let dependencies = tasks[top.task].dependsOn
                if top.next < dependencies.count {
                    stack[stack.count - 1].next += 1
                    let d = index[dependencies[top.next]]!
                    if color[d] == 1 {
                        let path = stack.map(\.task)
                        let from = path.firstIndex(of: d)!
                        return (path[from...] + [d]).map { tasks[$0].name }
                    }
                    if color[d] == 0 {
                        color[d] = 1
                        stack.append((d, 0))
                    }
                } else {
                    color[top.task] = 2
                    stack.removeLast()
                }
            }
        }
        return nil
    }
}
