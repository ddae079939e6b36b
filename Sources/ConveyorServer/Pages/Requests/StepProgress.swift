import ConveyorRequests

/// A step's progress as a small bar: jobs done of all, coloured by the step's state.
enum StepProgress {
    static func bar(_ step: Requests.Detail.Step) -> HTML {
        let total = max(step.elements, 1)
        let share = step.state == "succeeded" ? 100 : Double(step.elementsDone) * 100 / Double(total)
        let label = step.kind == "job" ? "\(step.elementsDone)/\(step.elements)" : step.state
        return """
            <div class="step" title="\(step.name): \(step.state)\(step.kind == "job" ? ", \(step.elementsDone) of \(step.elements) jobs" : "")">\
            <span class="step-name">\(step.name)</span><div class="progress"><span class="seg st-\(step.state)" style="width:\(String(format: "%.1f", share))%"></span>\
            </div><span class="muted">\(label)</span></div>
            """
    }
}
