import ConveyorCore
import ConveyorStore

extension Scheduler {
    /// Moves the elements a staging wait holds to another site when all their inputs are on disk
    /// there and not yet here (``ElementMove``): their elements here are skipped, their reserves
    /// there become pending, and a reserve's task that had already ended runs again. Everything
    /// changes in memory and goes out with this tick's one write, so a crash moves nothing by half.
    /// - Returns: the inputs the wait no longer needs at its site (moved now or before).
    func moveWaitingElements(of wait: WorkflowTask, site: String, _ moves: [ElementMove], _ now: Timestamp) async throws(ConveyorError) -> Set<String> {
        var ids: [String: Int64] = [:]
        for id in workflowTasks[wait.workflowID] ?? [] { if let task = tasks[id] { ids[task.name] = id } }
        func state(_ element: ElementMove.Element) -> TaskState? {
            guard let id = ids[element.task], let states = elements[id], states.indices.contains(element.index) else { return nil }
            return states[element.index]
        }
        var gone: Set<String> = []
        var candidates: [ElementMove] = []
        for move in moves {
            let here = move.elements.map(state)
            let moved = move.targets.contains { $0.elements.contains { state($0).map { $0 != .skipped } ?? false } }
            if moved, here.allSatisfy({ $0 == .skipped }) {
                gone.formUnion(move.inputs)
            } else if !moved, here.allSatisfy({ $0 == .pending }) {
                candidates.append(move)
            }
        }
        guard !candidates.isEmpty else { return gone }
        let inputs = Array(Set(candidates.flatMap(\.inputs)))
        let sites = [site] + Array(Set(candidates.flatMap { $0.targets.map(\.site) }).subtracting([site])).sorted()
        let onDisk = try await store.read { session in
            var onDisk: [String: Set<String>] = [:]
            for site in sites { onDisk[site] = try await session.lfnsOnDisk(inputs, at: site) }
            return onDisk
        }
        /// A task takes moved elements unless it gave up, was cancelled or waits for a person.
        func canReceive(_ target: ElementMove.Target) -> Bool {
            target.elements.allSatisfy { element in
                guard let id = ids[element.task], let task = tasks[id], state(element) == .skipped,
                    pools[task.definition.pool ?? WorkflowDefinition.defaultPool] != nil
                else { return false }
                return [.pending, .ready, .submitted, .running, .succeeded, .skipped].contains(task.state)
            }
        }
        for move in candidates {
            let here = onDisk[site] ?? []
            guard !move.inputs.allSatisfy(here.contains) else { continue }  // staged here first: the elements stay
            guard
                let target = move.targets.first(where: { target in
                    let there = onDisk[target.site] ?? []
                    return move.inputs.allSatisfy(there.contains) && canReceive(target)
                })
            else { continue }
            for (from, to) in zip(move.elements, target.elements) {
                setElements(ids[from.task]!, [from.index], to: .skipped)
                setElements(ids[to.task]!, [to.index], to: .pending)
                dirty.insert(ids[from.task]!)
            }
            for id in Set(target.elements.map { ids[$0.task]! }) {
                guard let task = tasks[id] else { continue }
                switch task.state {
                case .succeeded, .skipped:
                    queue.insert(id, priority: task.definition.priority)
                    setState(id, to: .ready, detail: "reopened: job(s) moved here from \(site), their inputs are on disk at \(target.site)", at: now)
                case .ready, .submitted, .running:
                    queue.insert(id, priority: task.definition.priority)
                default:
                    break  // pending: its elements go when it starts
                }
            }
            gone.formUnion(move.inputs)
            let names = Set(move.elements.map(\.task)).sorted().joined(separator: ", ")
            events.append(
                WorkflowEvent(
                    workflowID: wait.workflowID, taskID: wait.id, at: now, actor: actor, kind: "moved",
                    detail:
                        "\(move.elements.count) element(s) of \(names) moved from \(site) to \(target.site): \(move.inputs.count == 1 ? move.inputs[0] : "\(move.inputs.count) inputs") on disk there before here"
                ))
        }
        return gone
    }
}
