import Foundation

/// Finds job commands whose program does not exist on this machine, before a workflow runs.
/// Shell syntax it cannot judge (variables, subshells, keywords) is let through.
enum CommandCheck {
    static let builtins: Set<String> = [
        ":", ".", "[", "alias", "break", "cd", "command", "continue", "echo", "eval", "exec", "exit", "export", "false", "getopts", "hash",
        "printf", "pwd", "read", "readonly", "return", "set", "shift", "test", "times", "trap", "true", "type", "ulimit", "umask", "unset", "wait",
        "if", "for", "while", "until", "case", "{", "(", "!",
    ]

    /// The program a command would run when it cannot be found, else nil.
    static func missingProgram(in command: String, path: String = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin") -> String? {
        var words = command.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
        while let first = words.first, first.contains("="), !first.hasPrefix("=") { words.removeFirst() }
        guard let program = words.first else { return nil }
        if builtins.contains(program) || program.contains("$") || program.contains("`") || program.hasPrefix("(") || program.hasPrefix("{") { return nil }
        let fm = FileManager.default
        if program.contains("/") { return fm.isExecutableFile(atPath: program) ? nil : program }
        for folder in path.split(separator: ":") where fm.isExecutableFile(atPath: "\(folder)/\(program)") { return nil }
        return program
    }
}
