import CatalogFixture
import ConveyorStore
import Foundation

// Fills (or finishes filling) a database with the 10-million-file catalog of the benchmarks:
//   seed-catalog DB_URL [CHAINS]      (4 files per chain; 2,500,000 chains by default)
let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: seed-catalog DB_URL [CHAINS]\n".utf8))
    exit(64)
}
let chains = arguments.count > 2 ? Int(arguments[2]) ?? CatalogFixture.chains : CatalogFixture.chains
let location = try StoreLocation(parsing: arguments[1])
let started = ContinuousClock.now
try await Store.withOpened(location) { store in
    try await CatalogFixture.seed(store, chains: chains) { files, took in
        FileHandle.standardError.write(Data("\(files) files (last 100,000 in \(took))\n".utf8))
    }
}
FileHandle.standardError.write(Data("seeded in \(ContinuousClock.now - started)\n".utf8))
