import ConveyorCore
import Foundation
import HTTPTypes
import Hummingbird

/// A payload's bytes over HTTP: immutable (a revision never changes), content-addressed ETag,
/// checksums in headers, and single byte ranges (`Range: bytes=a-b`, `a-`, `-n`).
struct PayloadBytesResponse {
    let payload: Payload
    let bytes: Data
    let range: String?
    let ifNoneMatch: String?

    var response: Response {
        let etag = "\"\(payload.sha256)\""
        var headers: HTTPFields = [
            .eTag: etag,
            .cacheControl: "public, max-age=31536000, immutable",
            .acceptRanges: "bytes",
            HTTPField.Name("X-Conveyor-SHA256")!: payload.sha256,
            HTTPField.Name("X-Conveyor-MD5")!: payload.md5,
            HTTPField.Name("X-Conveyor-Payload")!: "\(payload.name) rev \(payload.revision)",
        ]
        if ifNoneMatch?.contains(etag) == true { return Response(status: .notModified, headers: headers) }
        headers[.contentType] = "application/octet-stream"
        guard let range else { return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes))) }
        guard let (start, end) = Self.parse(range, size: bytes.count) else {
            headers[.contentRange] = "bytes */\(bytes.count)"
            return Response(status: .rangeNotSatisfiable, headers: headers)
        }
        headers[.contentRange] = "bytes \(start)-\(end)/\(bytes.count)"
        return Response(status: .partialContent, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes[start...end])))
    }

    /// The inclusive byte range asked for, or nil when it cannot be served.
    static func parse(_ header: String, size: Int) -> (Int, Int)? {
        guard header.hasPrefix("bytes="), !header.contains(","), size > 0 else { return nil }
        let spec = header.dropFirst("bytes=".count)
        let parts = spec.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        if parts[0].isEmpty {
            guard let suffix = Int(parts[1]), suffix > 0 else { return nil }
            return (max(0, size - suffix), size - 1)
        }
        guard let start = Int(parts[0]), start < size else { return nil }
        let end = parts[1].isEmpty ? size - 1 : min(Int(parts[1]) ?? -1, size - 1)
        return end >= start ? (start, end) : nil
    }
}
