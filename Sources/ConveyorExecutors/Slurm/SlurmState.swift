/// Every Slurm job state, mapped explicitly to what Conveyor makes of it. The state's name is
/// kept as the reason of a failure (TIMEOUT, OUT_OF_MEMORY, NODE_FAIL, PREEMPTED…).
enum SlurmState {
    /// ```swift
    /// SlurmState.report("COMPLETED", exitCode: 0)        // (.succeeded, nil)
    /// SlurmState.report("CANCELLED by 0", exitCode: 0)   // (.cancelled, "CANCELLED by 0")
    /// SlurmState.report("TIMEOUT", exitCode: 0)          // (.failed, "TIMEOUT: the time limit was reached")
    /// ```
    static func report(_ text: String, exitCode: Int?) -> (state: BatchJobStatus.State, reason: String?) {
        let name = text.split(separator: " ").first.map(String.init)?.uppercased() ?? text
        switch name {
        case "PENDING", "CONFIGURING", "REQUEUED", "REQUEUE_FED", "REQUEUE_HOLD", "RESV_DEL_HOLD", "PD", "CF", "RQ", "RF", "RH", "RD":
            return (.queued, nil)
        case "RUNNING", "COMPLETING", "SUSPENDED", "STOPPED", "RESIZING", "SIGNALING", "STAGE_OUT", "R", "CG", "S", "ST", "RS", "SI", "SO":
            return (.running, nil)
        case "COMPLETED", "CD":
            return exitCode ?? 0 == 0 ? (.succeeded, nil) : (.failed, "COMPLETED with exit code \(exitCode!)")
        case "CANCELLED", "CA":
            return (.cancelled, text)
        case "FAILED", "F":
            return (.failed, "FAILED: exit code \(exitCode.map(String.init) ?? "unknown")")
        case "TIMEOUT", "TO":
            return (.failed, "TIMEOUT: the time limit was reached")
        case "OUT_OF_MEMORY", "OOM":
            return (.failed, "OUT_OF_MEMORY: the job exceeded its memory")
        case "NODE_FAIL", "NF":
            return (.failed, "NODE_FAIL: the node running the job failed")
        case "PREEMPTED", "PR":
            return (.failed, "PREEMPTED: the job was preempted")
        case "BOOT_FAIL", "BF":
            return (.failed, "BOOT_FAIL: the node failed to boot")
        case "DEADLINE", "DL":
            return (.failed, "DEADLINE: the job missed its deadline")
        case "REVOKED", "RV":
            return (.failed, "REVOKED: a sibling cluster took the job")
        case "SPECIAL_EXIT", "SE":
            return (.failed, "SPECIAL_EXIT: the job requested its own requeue")
        default:
            return (.failed, "unknown Slurm state \(text)")
        }
    }

    /// Slurm's `ExitCode` field `CODE:SIGNAL`.
    static func exitCode(_ text: String) -> Int? {
        let parts = text.split(separator: ":")
        guard let code = parts.first.flatMap({ Int($0) }) else { return nil }
        if parts.count > 1, let signal = Int(parts[1]), signal > 0 { return 128 + signal }
        return code
    }
}
