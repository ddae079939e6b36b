import ConveyorCore
import Foundation

extension FileCatalog {
    /// A file's size and the checksums the catalog keeps, read in 1 MiB pieces: what registering a
    /// file Conveyor (or a job it ran) wrote needs.
    ///
    /// ```swift
    /// let sums = try FileCatalog.checksums(ofFileAt: "/data/mdst_000001.dst")
    /// CatalogFile(lfn: lfn, size: sums.size, adler32: sums.adler32, sha256: sums.sha256, …)
    /// ```
    public static func checksums(ofFileAt path: String) throws(ConveyorError) -> FileChecksums {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .notFound("no file at \(path)") }
        defer { try? handle.close() }
        var sums = FileChecksums()
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: 1 << 20) ?? Data() } catch { throw .storeFailure("reading \(path): \(error.localizedDescription)") }
            if chunk.isEmpty { break }
            sums.update(chunk)
        }
        return sums
    }
}
