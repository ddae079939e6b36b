import ConveyorCore
import ConveyorExecutors
import ConveyorStore
import Foundation

extension Scheduler {
    /// Picks ready job elements, highest priority first, within each pool's free slots, and
    /// records them as submissions (state `submitting`) for this tick's write.
    /// - Returns: the UUIDs to send once the write has committed.
    func planSubmissions(_ now: Timestamp) throws -> [String] {
        var used: [String: Int] = [:]
        for flight in flights.values { used[flight.record.pool, default: 0] += flight.attempts.count }
        var free = pools.mapValues { $0.slots }
        for (pool, n) in used { free[pool, default: 0] -= n }
        var freeSlots = free.values.filter { $0 > 0 }.reduce(0, +)
        guard !queue.isEmpty, freeSlots > 0 else { return [] }
        var uuids: [String] = []
        var done: [Int64] = []
        defer { for id in done { queue.remove(id) } }
        for id in queue.ids {
            guard freeSlots > 0 else { break }
            guard let task = tasks[id], task.definition.kind == .job, [.ready, .submitted, .running].contains(task.state) else {
                done.append(id)
                continue
            }
            let poolName = task.definition.pool ?? WorkflowDefinition.defaultPool
            guard let pool = pools[poolName] else {
                done.append(id)
                setElements(id, (elements[id] ?? []).indices.filter { elements[id]![$0] == .pending }, to: .failed)
                setState(id, to: .failed, detail: "pool \(poolName) does not exist (conveyor pool add \(poolName) …)", at: now)
                continue
            }
            let slots = free[poolName] ?? 0
            guard slots > 0 else { continue }
            let pending = (elements[id] ?? []).indices.filter { elements[id]![$0] == .pending }
            let chosen = Array(pending.prefix(slots))
            if chosen.count == pending.count { done.append(id) }
            guard !chosen.isEmpty else { continue }
            free[poolName] = slots - chosen.count
            freeSlots -= chosen.count
            let uuid = UUID().uuidString.lowercased()
            let directory = "\(pool.options["directory"] ?? configuration.jobRoot)/\(uuid)"
            let attempts = chosen.enumerated().map { position, element in
                JobAttempt(
                    submission: uuid, arrayIndex: position, taskID: id, element: element, attempt: task.tries + 1, state: .submitting,
                    submittedAt: now, directory: directory)
            }
            let record = SubmissionRecord(uuid: uuid, pool: poolName, executor: pool.executor, state: .submitting, directory: directory)
            newSubmissions.append((record, attempts))
            flights[uuid] = Flight(
                record: record, taskID: id, attempts: Dictionary(attempts.map { ($0.arrayIndex, $0) }, uniquingKeysWith: { first, _ in first }),
                maybeSent: false, nextSend: .now, sendFailures: 0, lastSeen: .now)
            setElements(id, chosen, to: .submitted)
            let what = "\(chosen.count) element(s) to \(poolName) as \(uuid)"
            if task.state == .ready {
                setState(id, to: .submitted, detail: what, at: now)
            } else {
                events.append(WorkflowEvent(workflowID: task.workflowID, taskID: id, at: now, actor: actor, kind: "submission", detail: what))
            }
            uuids.append(uuid)
            activity.submittedElements += chosen.count
        }
        return uuids
    }

    /// Sends submissions that are due: new ones, and those whose last call failed (with backoff).
    func sendPending() async throws {
        let now = ContinuousClock.now
        for (uuid, flight) in flights where flight.record.state == .submitting && flight.nextSend <= now { try await send(uuid) }
    }

    /// Calls the batch system for one recorded submission. When the submission may have reached
    /// it already (a restart, a timed-out call), it is looked up by its UUID first.
    func send(_ uuid: String) async throws {
        guard var flight = flights[uuid], flight.record.state == .submitting, let task = tasks[flight.taskID] else { return }
        do {
            guard let pool = pools[flight.record.pool] else { throw ConveyorError.notFound("pool \(flight.record.pool) does not exist") }
            let executor = try executors.executor(for: pool)
            // A scheduler paused past its lease must find out before it calls the batch system.
            try await fence?.confirm(maxAge: .seconds(1))
            var external: String? = nil
            if flight.maybeSent { external = try await executor.find(uuid: uuid, directory: flight.record.directory) }
            if external == nil {
                var jobs: [BatchSubmission.Job] = []
                for attempt in flight.attempts.values.sorted(by: { $0.arrayIndex < $1.arrayIndex }) {
                    var command = task.definition.commands[attempt.element]
                    var transferIn: [String] = []
                    if let name = task.definition.accountant {
                        // The job carries what it needs: its description is written now, into its own folder.
                        guard let accountant = configuration.plugins.accountants[name] else {
                            throw ConveyorError.unavailable("task \(task.name) names accountant '\(name)', which this scheduler does not have")
                        }
                        let described = try await accountant.describe(
                            command,
                            JobDispatch(
                                folder: "\(flight.record.directory)/\(attempt.arrayIndex)", pool: pool,
                                runner: pool.options["job_runner"] ?? configuration.jobRunner, attempt: attempt.attempt))
                        command = described.command
                        transferIn = described.transferIn
                    }
                    jobs.append(
                        BatchSubmission.Job(
                            arrayIndex: attempt.arrayIndex, command: command,
                            environment: [
                                "CONVEYOR_ARRAY_INDEX": String(attempt.element), "CONVEYOR_TASK": task.name, "CONVEYOR_WORKFLOW": String(task.workflowID),
                                "CONVEYOR_ATTEMPT": uuid,
                            ], transferIn: transferIn))
                }
                flight.maybeSent = true
                external = try await executor.submit(
                    BatchSubmission(
                        uuid: uuid, directory: flight.record.directory, jobs: jobs,
                        timeLimitSeconds: task.definition.timeLimitSeconds))
            }
            flight.record.externalID = external
            flight.record.state = .submitted
            flight.lastSeen = .now
            flights[uuid] = flight
            if executor.kind == .local {
                // Recorded with the next tick's changes: until then a restart finds it by its folder.
                submittedMarks.append((uuid, external!))
            } else {
                // At once: a batch system forgets finished jobs (Slurm without accounting after MinJobAge).
                let id = external!
                try await store.write { try await $0.markSubmitted(uuid, externalID: id) }
            }
        } catch let error where SchedulerLease.isLost(error) {
            throw error
        } catch {
            flight.sendFailures += 1
            let delay = min(configuration.submitBackoff * (1 << min(flight.sendFailures - 1, 8)), .seconds(300))
            flight.nextSend = .now + delay
            flights[uuid] = flight
            let message = (error as? ConveyorError)?.message ?? "\(error)"
            logger.warning("submission \(uuid) failed (\(flight.sendFailures) so far), next try in \(delay): \(message)")
            events.append(
                WorkflowEvent(
                    workflowID: task.workflowID, taskID: task.id, at: .now, actor: actor, kind: "submission-failed",
                    detail: "\(message); next try in \(delay)"))
        }
    }
}
