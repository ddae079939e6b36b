extension ProcessingRequest {
    /// Every key a request file may hold, with what it expects: one table that both the reader
    /// and the published JSON Schema are made from.
    public static let fields: [RequestSchema.Field] = [
        .init("name", .text, required: true, "the request's name, unique"),
        .init("campaign", .choice(["prompt", "procN", "unofficial", "express"]), required: true, "prompt, a reprocessing procN, unofficial or express"),
        .init("bucket", .text, "a frozen bucket (conveyor bucket create); or give runs"),
        .init("runs", .text, "EXP:FIRST-LAST when no bucket is named"),
        .init("release", .text, required: true, "the software release, recorded on every output"),
        .init(
            "input",
            .object([
                .init("level", .choice(["raw", "cdst", "mdst"]), required: true, "the input data level (mdst: a stripping round)"),
                .init("selection", .textOrList, "all, or a list of HLT skim names"),
                .init("files", .list(.text), "only these LFNs of the runs (live express hands over a run's files in batches)"),
            ]), required: true, "what is read"),
        .init("outputs", .list(.choice(["cdst", "mdst", "udst"])), required: true, "output levels"),
        .init("global_tags", .list(.text), required: true, "global tags, highest priority first"),
        .init("staging_tag", .text, "where calibrations upload their payloads (prompt and procN)"),
        .init("prompt_tag", .text, "the RUNNING tag a prompt request running-updates, or the new tag of a procN"),
        .init(
            "sites",
            .list(
                .object([
                    .init("name", .text, required: true, "the site"),
                    .init("pool", .text, required: true, "the workflow pool that runs its jobs"),
                    .init("storage", .text, "prefix of the site's copies: an LFN's file is at storage + LFN (default: the LFN itself)"),
                ])), required: true, "where jobs run; each input goes to the first site holding it on disk"),
        .init(
            "calibrations",
            .list(
                .object([
                    .init("name", .text, required: true, "the calibration"),
                    .init("command", .text, required: true, "the algorithm's command"),
                    .init("depends_on", .list(.text), "calibrations that must finish first"),
                    .init("expert", .text, required: true, "who signs it off"),
                    .init("max_iterations", .wholeNumber(minimum: 1), "how often it may ask to iterate (default 3)"),
                    .init(
                        "input",
                        .object([
                            .init("data_tags", .list(.text), "data tags (skims) it reads"),
                            .init("quality", .choice(["GOOD", "BAD", "RECOVERABLE", "UNKNOWN"]), "the runs' summary quality"),
                            .init("min_lumi", .number(minimum: 0), "minimum luminosity per run range, /pb"),
                            .init("min_events", .wholeNumber(minimum: 0), "minimum events per run range"),
                            .init("level", .choice(["raw", "cdst"]), "raw data (default), or the cDST of the calibration skims"),
                        ]), "which data it reads"),
                ])), "the calibrations, in any order"),
        .init("skims", .list(.text), "physics skims made from the mDST"),
        .init("hlt_skims", .list(.text), "HLT skims (data tags such as hlt_bhabha) made from the all-events raw data first; express and unofficial requests"),
        .init(
            "stripping",
            .object([
                .init("round", .text, required: true, "the round (conveyor round) whose streams the request writes"),
                .init(
                    "streams",
                    .list(
                        .object([
                            .init("name", .text, required: true, "the stream: one file per stream per input"),
                            .init(
                                "selections",
                                .list(
                                    .object([
                                        .init("name", .text, required: true, "the selection"),
                                        .init("command", .text, required: true, "its command (the selection protocol)"),
                                        .init("prescale", .wholeNumber(minimum: 1), "keep one in N of the events it passes (default 1)"),
                                    ])), required: true, "what the stream holds"),
                        ])), required: true, "the streams"),
            ]), "a stripping round's streams, written from mDST input by commands.skim (made by conveyor round submit)"),
        .init("monte_carlo", .object(MonteCarlo.fields), "an MC production's events per run (made by conveyor mc submit)"),
        .init("priority", .wholeNumber(minimum: -10), "added to the priority of every job step, -10 to 10 (default 0; MC runs below data)"),
        .init("output_base", .text, required: true, "the base path of the outputs"),
        .init(
            "commands",
            .object([
                .init("reconstruction", .text, required: true, "raw → cDST/mDST, one job per input file"),
                .init("skim", .text, "mDST → a physics skim's uDST (needed when skims are listed)"),
                .init("quality", .text, "per run: histograms compared with the reference"),
                .init("hlt_skim", .text, "raw → an HLT skim's raw file (needed when hlt_skims are listed)"),
                .init("generation", .text, "MC: generation, simulation and reconstruction to mDST (needed with monte_carlo)"),
            ]), required: true, "the experiment's programs the jobs run"),
        .init(
            "output_rules",
            .list(
                .object([
                    .init("level", .choice(["cdst", "mdst", "udst"]), required: true, "the output level"),
                    .init("data_tag", .text, "only outputs of this skim or HLT data tag"),
                    .init("copies", .wholeNumber(minimum: 1), "how many copies (default 1)"),
                    .init("rse", .text, required: true, "where, as a site expression: site=BNL&kind=disk, country=JP|country=US, …"),
                    .init("lifetime", .text, "how long the copies are kept, e.g. 30d (default: until the rule is deleted)"),
                ])), "replication rules for the outputs (conveyor rule); the request is done once they are OK"),
        .init("files_per_job", .wholeNumber(minimum: 1), "input files per job (default 1)"),
        .init("max_file_failures", .wholeNumber(minimum: 1), "failed tries before an input file is Problematic (default 3)"),
        .init("retry_cooloff", .number(minimum: 0), "seconds before a failed job is tried again, times tries² (default 10)"),
        .init("first_sequence", .wholeNumber(minimum: 0), "where output numbering starts in each folder (default 0; live express numbers its batches on)"),
    ]

    /// Reads and checks a request; every error names the file and key path.
    public init(configuration root: ConfigurationValue) throws(ConveyorError) {
        try RequestSchema.check(root, against: Self.fields)
        name = try root["name"].string()
        guard name.count <= 120, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw root["name"].error("a request name is 1–120 letters, digits, '-', '_' or '.'")
        }
        do { campaign = try Campaign(parsing: try root["campaign"].string()) } catch { throw root["campaign"].error(error.message) }
        bucket = try root["bucket"].optionalString()
        runs = try root["runs"].optionalString()
        switch (bucket, runs) {
        case (nil, nil): throw root.error("give a bucket or runs")
        case (.some, .some): throw root["runs"].error("give either bucket or runs, not both")
        case (nil, .some(let text)):
            guard Self.runQuery(text) != nil else { throw root["runs"].error("expected EXP:FIRST-LAST, e.g. 8:100-250, found '\(text)'") }
        default: break
        }
        release = try root["release"].string()
        let selection = root["input"]["selection"]
        let skimsOrAll = try selection.strings(default: ["all"])
        input = Input(
            level: try root["input"]["level"].named(DataLevel.self), skims: skimsOrAll == ["all"] ? [] : skimsOrAll, files: try root["input"]["files"].strings()
        )
        var outputs: [DataLevel] = []
        for item in try root["outputs"].list() { outputs.append(try item.named(DataLevel.self)) }
        guard !outputs.isEmpty else { throw root["outputs"].error("needs at least one output level") }
        self.outputs = outputs
        globalTags = try root["global_tags"].strings()
        stagingTag = try root["staging_tag"].optionalString()
        promptTag = try root["prompt_tag"].optionalString()
        sites = []
        for item in try root["sites"].list() {
            sites.append(Site(name: try item["name"].string(), pool: try item["pool"].string(), storage: try item["storage"].string(default: "")))
        }
        guard !sites.isEmpty else { throw root["sites"].error("needs at least one site") }
        calibrations = []
        if !root["calibrations"].isMissing {
            for item in try root["calibrations"].list() {
                let input = item["input"]
                let quality: QualityFlag? = input["quality"].isMissing ? nil : try input["quality"].named(QualityFlag.self)
                let minimumLuminosity: Double? = input["min_lumi"].isMissing ? nil : try input["min_lumi"].double(minimum: 0)
                let minimumEvents: Int? = input["min_events"].isMissing ? nil : try input["min_events"].int(minimum: 0)
                calibrations.append(
                    Calibration(
                        name: try item["name"].string(), command: try item["command"].string(), dependsOn: try item["depends_on"].strings(),
                        expert: try item["expert"].string(), maxIterations: try item["max_iterations"].int(default: 3, minimum: 1),
                        dataTags: try input["data_tags"].strings(), quality: quality, minimumLuminosity: minimumLuminosity, minimumEvents: minimumEvents,
                        level: try input["level"].named(DataLevel.self, default: .raw)))
            }
        }
        skims = try root["skims"].strings()
        if !root["stripping"].isMissing {
            let node = root["stripping"]
            var streams: [Stripping.Stream] = []
            for (i, item) in try node["streams"].list().enumerated() {
                var selections: [Stripping.Selection] = []
                for selection in try item["selections"].list() {
                    selections.append(
                        .init(
                            name: try selection["name"].string(), command: try selection["command"].string(),
                            prescale: try selection["prescale"].int(default: 1, minimum: 1)))
                }
                guard !selections.isEmpty else { throw node["streams"][i]["selections"].error("a stream holds at least one selection") }
                streams.append(.init(name: try item["name"].string(), selections: selections))
            }
            guard !streams.isEmpty else { throw node["streams"].error("needs at least one stream") }
            stripping = Stripping(round: try node["round"].string(), streams: streams)
        }
        outputBase = try root["output_base"].string()
        guard outputBase.hasPrefix("/") else { throw root["output_base"].error("expected an absolute path such as /belle/Data, found '\(outputBase)'") }
        let c = root["commands"]
        commands = Commands(
            reconstruction: try c["reconstruction"].string(), skim: try c["skim"].optionalString(), quality: try c["quality"].optionalString(),
            hltSkim: try c["hlt_skim"].optionalString(), generation: try c["generation"].optionalString())
        if !root["monte_carlo"].isMissing { monteCarlo = try MonteCarlo(configuration: root["monte_carlo"]) }
        priority = try root["priority"].int(default: 0, minimum: -10)
        guard priority <= 10 else { throw root["priority"].error("at most 10") }
        hltSkims = try root["hlt_skims"].strings()
        filesPerJob = try root["files_per_job"].int(default: 1, minimum: 1)
        maxFileFailures = try root["max_file_failures"].int(default: 3, minimum: 1)
        retryCooloff = try root["retry_cooloff"].double(default: 10, minimum: 0)
        firstSequence = try root["first_sequence"].int(default: 0, minimum: 0)
        guard firstSequence <= 100_000_000 else { throw root["first_sequence"].error("at most 100,000,000") }
        outputRules = []
        for (i, item) in try (root["output_rules"].isMissing ? [] : root["output_rules"].list()).enumerated() {
            let node = root["output_rules"][i]
            let expression = try item["rse"].string()
            do { _ = try SiteExpression(expression) } catch { throw node["rse"].error(error.message) }
            var lifetime: Int64?
            if let text = try item["lifetime"].optionalString() {
                do { lifetime = try AgeText.seconds(text) } catch { throw node["lifetime"].error(error.message) }
            }
            let copies = try item["copies"].int(default: 1, minimum: 1)
            guard copies <= 10 else { throw node["copies"].error("at most 10 copies") }
            let level = try item["level"].named(DataLevel.self)
            guard outputs.contains(level) || (level == .udst && !skims.isEmpty) else {
                throw node["level"].error("the request makes no \(level.rawValue) outputs")
            }
            outputRules.append(
                OutputRule(level: level, dataTag: try item["data_tag"].optionalString(), copies: copies, expression: expression, lifetimeSeconds: lifetime))
        }
        try checkConsistency(root)
    }

    /// The run range of a request without a bucket, as a run-registry query.
    public var runQuery: RunQuery? { runs.flatMap(Self.runQuery) }

    /// `EXP:FIRST-LAST` as a query, or nil when the text is not one.
    public static func runQuery(_ text: String) -> RunQuery? {
        let parts = text.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let exp = Int(parts[0]),
            let query = try? RunQuery(
                exp: exp, runs: String(parts[1]), type: nil, energy: nil, magnet: nil, minimumDurationMinutes: nil,
                minimumLuminosity: nil, quality: nil), query.runRange != nil
        else { return nil }
        return query
    }

    /// What the campaign needs, and calibrations that refer to each other properly.
    private func checkConsistency(_ root: ConfigurationValue) throws(ConveyorError) {
        if globalTags.isEmpty { throw root["global_tags"].error("needs at least one global tag") }
        switch campaign {
        case .prompt, .reprocessing:
            if stagingTag == nil, !calibrations.isEmpty { throw root["staging_tag"].error("is required when there are calibrations") }
            if promptTag == nil { throw root["prompt_tag"].error("is required for a \(campaign) request") }
        case .unofficial, .express:
            if !calibrations.isEmpty { throw root["calibrations"].error("an \(campaign) request uses the given tags and takes no calibrations") }
        }
        var seen: [String: Int] = [:]
        for (i, c) in calibrations.enumerated() {
            if let first = seen[c.name] { throw root["calibrations"][i]["name"].error("'\(c.name)' is used by calibrations[\(first)] too") }
            seen[c.name] = i
        }
        for (i, c) in calibrations.enumerated() {
            for (j, d) in c.dependsOn.enumerated() where seen[d] == nil || d == c.name {
                throw root["calibrations"][i]["depends_on"][j].error(d == c.name ? "a calibration cannot depend on itself" : "unknown calibration '\(d)'")
            }
        }
        // The calibrations' dependencies must form a DAG: the workflow check finds and names a cycle.
        let asTasks = calibrations.map { TaskDefinition(name: $0.name, kind: .action, dependsOn: $0.dependsOn) }
        do { try WorkflowDefinition(name: name, tasks: asTasks).validate(file: root.file) } catch {
            throw .invalidInput(error.message.replacingOccurrences(of: "tasks form a cycle", with: "calibrations form a cycle"))
        }
        if !skims.isEmpty, commands.skim == nil { throw root["commands"]["skim"].error("is required when skims are listed") }
        if !hltSkims.isEmpty {
            if commands.hltSkim == nil { throw root["commands"]["hlt_skim"].error("is required when hlt_skims are listed") }
            if input.level != .raw { throw root["hlt_skims"].error("HLT skims are made from raw data: the input level must be raw") }
            if case .express = campaign {
            } else if case .unofficial = campaign {
            } else {
                throw root["hlt_skims"].error("HLT skims are made by express and unofficial requests; a \(campaign) request reads them from the catalog")
            }
            if Set(hltSkims).count != hltSkims.count { throw root["hlt_skims"].error("a skim is listed twice") }
        }
        if !skims.isEmpty, !outputs.contains(.mdst) { throw root["skims"].error("physics skims are made from the mDST: add mdst to outputs") }
        for (i, c) in calibrations.enumerated() where c.level == .cdst && input.level != .raw {
            throw root["calibrations"][i]["input"]["level"].error("cDST calibrations need raw input to make their cDST from")
        }
        if let stripping {
            if input.level != .mdst { throw root["input"]["level"].error("a stripping round reads mDST: the input level must be mdst") }
            if commands.skim == nil { throw root["commands"]["skim"].error("is required for a stripping round: the program that writes a stream") }
            if case .unofficial = campaign {} else { throw root["campaign"].error("a stripping round's request is unofficial: it uses the round's tags") }
            var streams = Set<String>(), selections = Set<String>()
            for (i, stream) in stripping.streams.enumerated() {
                guard streams.insert(stream.name).inserted else { throw root["stripping"]["streams"][i]["name"].error("stream \(stream.name) is listed twice") }
                for selection in stream.selections where !selections.insert(selection.name).inserted {
                    throw root["stripping"]["streams"][i].error("\(selection.name) is in two streams")
                }
            }
        } else if input.level == .mdst {
            throw root["input"]["level"].error("mDST is read by stripping rounds: made with conveyor round submit")
        }
        if monteCarlo != nil {
            if commands.generation == nil { throw root["commands"]["generation"].error("is required for an MC production: the program that generates events") }
            if outputs != [.mdst] { throw root["outputs"].error("an MC production writes mdst only") }
            if !calibrations.isEmpty || !skims.isEmpty || !hltSkims.isEmpty {
                throw root["monte_carlo"].error("an MC production takes no calibrations, skims or HLT skims")
            }
            if case .unofficial = campaign {} else { throw root["campaign"].error("an MC production's request is unofficial: it uses the campaign's tags") }
        }
        let names = Set(sites.map(\.name))
        if names.count != sites.count { throw root["sites"].error("a site is listed twice") }
    }
}
