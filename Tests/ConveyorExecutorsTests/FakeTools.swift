import ConveyorTestSupport
import Foundation

/// A folder of fake batch-system tools: each prints the recorded answer `NAME.out` (exit code in
/// `NAME.status`, default 0) and logs its arguments to `calls.log`.
struct FakeTools {
    let folder: TemporaryDirectory

    init(_ names: [String]) throws {
        folder = try TemporaryDirectory(prefix: "conveyor-fake-tools")
        for name in names {
            let script = """
                #!/bin/sh
                here=$(dirname "$0")
                echo "\(name) $*" >> "$here/calls.log"
                [ -f "$here/\(name).in" ] && cat > "$here/\(name).stdin" || cat > /dev/null
                [ -f "$here/\(name).out" ] && cat "$here/\(name).out"
                [ -f "$here/\(name).err" ] && cat "$here/\(name).err" >&2
                exit $(cat "$here/\(name).status" 2>/dev/null || echo 0)

                """
            let path = folder.file(name)
            try script.write(toFile: path, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }
    }

    func answer(_ name: String, _ text: String, status: Int = 0) throws {
        try text.write(toFile: folder.file("\(name).out"), atomically: true, encoding: .utf8)
        try String(status).write(toFile: folder.file("\(name).status"), atomically: true, encoding: .utf8)
    }

    var calls: [String] {
        ((try? String(contentsOfFile: folder.file("calls.log"), encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }
}
