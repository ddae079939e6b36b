import ConveyorCore
import SQLKit

/// One connection (inside a transaction when it comes from ``Store/write(_:)``) on which the
/// store's record operations run. Capabilities call these operations; only this module sees SQL.
public struct StoreSession: Sendable {
    let sql: any SQLDatabase
    public let kind: StoreKind
    let blobs: PayloadBlobs

    init(sql: any SQLDatabase, kind: StoreKind, blobs: PayloadBlobs) {
        self.sql = sql
        self.kind = kind
        self.blobs = blobs
    }
}
