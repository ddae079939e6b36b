import ConveyorCore
import NIOCore

/// The JSON of a resolution list, written directly: the full-tag lookup answers hundreds of
/// entries per request, thousands of times a second, and a generic encoder spends most of the
/// request there. The output is byte-for-byte what `JSONEncoder` with sorted keys writes, which
/// a test holds it to.
enum ResolutionJSON {
    static func encode(run: ExpRun, _ resolutions: [Resolution]) -> ByteBuffer {
        var out = ByteBuffer()
        out.reserveCapacity(64 + resolutions.count * 190)
        out.writeString("{\"payloads\":[")
        for (i, r) in resolutions.enumerated() {
            if i > 0 { out.writeString(",") }
            out.writeString(
                "{\"iov\":{\"expHigh\":\(r.iov.expHigh),\"expLow\":\(r.iov.expLow),\"runHigh\":\(r.iov.runHigh),\"runLow\":\(r.iov.runLow)},\"name\":")
            writeString(r.name, to: &out)
            out.writeString(",\"revision\":\(r.revision),\"sha256\":")
            writeString(r.sha256, to: &out)
            out.writeString(",\"tag\":")
            writeString(r.tag, to: &out)
            out.writeString("}")
        }
        out.writeString("],\"run\":{\"exp\":\(run.exp),\"run\":\(run.run)}}")
        return out
    }

    /// A JSON string; names, tags and checksums are validated identifiers, but escape anyway.
    private static func writeString(_ text: String, to out: inout ByteBuffer) {
        out.writeString("\"")
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") && $0 != UInt8(ascii: "/") }) {
            out.writeString(text)
        } else {
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out.writeString("\\\"")
                case "\\": out.writeString("\\\\")
                case "/": out.writeString("\\/")
                case "\n": out.writeString("\\n")
                case "\r": out.writeString("\\r")
                case "\t": out.writeString("\\t")
                case _ where scalar.value < 0x20: out.writeString(String(format: "\\u%04x", scalar.value))
                default: out.writeString(String(scalar))
                }
            }
        }
        out.writeString("\"")
    }
}
