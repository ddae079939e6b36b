import ConditionsFixture
import ConveyorAccess
import ConveyorCore
import ConveyorStore
import Foundation

// Fills a database with the benchmark tag and prints a viewer token, for the HTTP load test:
//   seed-conditions DB_URL [NAMES] [IOVS_PER_NAME]
let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: seed-conditions DB_URL [NAMES] [IOVS_PER_NAME]\n".utf8))
    exit(64)
}
let names = arguments.count > 2 ? Int(arguments[2]) ?? 500 : 500
let iovs = arguments.count > 3 ? Int(arguments[3]) ?? 2_000 : 2_000
let location = try StoreLocation(parsing: arguments[1])
let started = ContinuousClock.now
let token = try await Store.withOpened(location) { store in
    try await BigTag.build(in: store, tag: "bench_published", names: names, iovsPerName: iovs, state: .published)
    let (_, token) = try await Accounts(store: store).addUser(
        named: "loadtest-\(UUID().uuidString.prefix(6))", role: .viewer, by: .localOperator(named: "bench"))
    return token.secret
}
FileHandle.standardError.write(Data("seeded \(names) names × \(iovs) IoVs in \(ContinuousClock.now - started)\n".utf8))
print(token)
