import ConveyorCore
import Foundation
import SQLKit

/// Where payload bytes live, addressed by their SHA-256.
///
/// - SQLite: files in a folder beside the database (`conveyor.sqlite.payloads/ab/abcd…`), so the
///   database file stays small and payloads can be copied or served as files.
/// - PostgreSQL: the `payload_blobs` table, so every server sharing the database sees every
///   payload without a shared file system.
///
/// A file written for a transaction that then rolls back stays behind; it is harmless (the same
/// bytes map to the same file) and is reused if the same bytes are uploaded again.
enum PayloadBlobs: Sendable {
    case folder(String)
    case table

    static func forLocation(_ location: StoreLocation) -> PayloadBlobs {
        switch location {
        case .sqlite(let path): .folder(path + ".payloads")
        case .postgres: .table
        }
    }

    func put(_ data: Data, sha256: String, on db: any SQLDatabase) async throws {
        switch self {
        case .folder(let root):
            let url = fileURL(root, sha256)
            if FileManager.default.fileExists(atPath: url.path) { return }
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            let temporary = url.appendingPathExtension("partial-\(UUID().uuidString)")
            try data.write(to: temporary)
            do {
                try FileManager.default.moveItem(at: temporary, to: url)
            } catch {
                try? FileManager.default.removeItem(at: temporary)
                if !FileManager.default.fileExists(atPath: url.path) { throw error }
            }
        case .table:
            try await db.insert(into: "payload_blobs")
                .columns("sha256", "bytes")
                .values(SQLBind(sha256), SQLBind(data))
                .ignoringConflicts(with: "sha256")
                .run()
        }
    }

    func get(sha256: String, on db: any SQLDatabase) async throws -> Data {
        switch self {
        case .folder(let root):
            guard let data = FileManager.default.contents(atPath: fileURL(root, sha256).path) else {
                throw ConveyorError.unavailable("payload file \(sha256) is missing from \(root)")
            }
            return data
        case .table:
            guard let row = try await db.select().column("bytes").from("payload_blobs").where("sha256", .equal, sha256).first() else {
                throw ConveyorError.unavailable("payload bytes \(sha256) are missing from the database")
            }
            return try row.decode(column: "bytes", as: Data.self)
        }
    }

    private func fileURL(_ root: String, _ sha256: String) -> URL {
        URL(fileURLWithPath: root).appendingPathComponent(String(sha256.prefix(2))).appendingPathComponent(sha256)
    }
}
