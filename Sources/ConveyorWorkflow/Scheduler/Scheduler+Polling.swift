import ConveyorCore
import ConveyorExecutors
import ConveyorStore
import Foundation

extension Scheduler {
    /// Asks each pool's executor about its submissions (one poll per pool per tick) and applies the reports.
    func pollExecutors(_ now: Timestamp) async throws {
        var byPool: [String: [TrackedSubmission]] = [:]
        for (uuid, flight) in flights where flight.record.state == .submitted {
            guard let external = flight.record.externalID else { continue }
            byPool[flight.record.pool, default: []].append(TrackedSubmission(uuid: uuid, externalID: external, directory: flight.record.directory,
                                                                             arrayIndices: flight.attempts.keys.sorted()))
        }
        for (poolName, tracked) in byPool {
            guard let pool = pools[poolName] else { continue }
            let reports: [JobReport]
            do {
                reports = try await executors.executor(for: pool).poll(tracked)
            } catch {
                // A failing status command is tried again next cycle; jobs stay tracked.
                logger.warning("polling pool \(poolName) failed: \(error.message)")
                continue
            }
            let instant = ContinuousClock.now
            for report in reports { apply(report, now, instant) }
        }
        let instant = ContinuousClock.now
        for (uuid, flight) in flights where flight.record.state == .submitted && instant - flight.lastSeen > configuration.lostAfter {
            for attempt in flight.attempts.values {
                apply(JobReport(uuid: uuid, arrayIndex: attempt.arrayIndex, state: .failed,
                                reason: "lost: not reported by the batch system for \(configuration.lostAfter)"), now, instant)
            }
        }
    }

    func apply(_ report: JobReport, _ now: Timestamp, _ instant: ContinuousClock.Instant) {
        guard var flight = flights[report.uuid], var attempt = flight.attempts[report.arrayIndex] else { return }
        flight.lastSeen = instant
        defer {
            if flight.attempts.isEmpty {
                flights[report.uuid] = nil
                finishedSubmissions.append(report.uuid)
            } else {
                flights[report.uuid] = flight
            }
        }
        switch report.state {
        case .queued:
            return
        case .running:
            guard attempt.state != .running else { return }
            attempt.state = .running
            attempt.startedAt = now
            flight.attempts[report.arrayIndex] = attempt
            changedAttempts.append(attempt)
            setElements(attempt.taskID, [attempt.element], to: .running)
            if tasks[attempt.taskID]?.state == .submitted { setState(attempt.taskID, to: .running, at: now) }
        case .succeeded, .failed, .cancelled:
            attempt.state = report.state == .succeeded ? .succeeded : report.state == .cancelled ? .cancelled : .failed
            attempt.exitCode = report.exitCode
            attempt.reason = report.reason
            attempt.wallSeconds = report.wallSeconds
            attempt.cpuSeconds = report.cpuSeconds
            attempt.maxRSSKilobytes = report.maxRSSKilobytes
            // A job that ran between two looks: its start is its end less its wall time.
            attempt.startedAt = attempt.startedAt
                ?? report.wallSeconds.map { Timestamp(microsecondsSinceEpoch: now.microsecondsSinceEpoch - Int64($0 * 1_000_000)) } ?? now
            attempt.finishedAt = now
            flight.attempts[report.arrayIndex] = nil
            changedAttempts.append(attempt)
            setElements(attempt.taskID, [attempt.element], to: report.state == .succeeded ? .succeeded : .failed)
            if report.state != .succeeded, let task = tasks[attempt.taskID] {
                events.append(WorkflowEvent(workflowID: task.workflowID, taskID: task.id, at: now, actor: actor, kind: "attempt",
                                            detail: "element \(attempt.element) try \(attempt.attempt): \(report.reason ?? report.state.rawValue)"))
            }
            dirty.insert(attempt.taskID)
            activity.finishedElements += 1
        }
    }
}
