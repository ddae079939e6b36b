import ArgumentParser
import Foundation

struct Masses: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The hadron mass peak of raw files reconstructed with given constants (JSON).")
    @Option(help: "Folder of payload files (none: nominal constants).") var conditions: String?
    @Argument(help: "Raw files.") var inputs: [String]

    func run() throws {
        let constants = try Constants(directory: conditions)
        var masses: [Double] = []
        for path in inputs {
            for record in try EventFile.read(path).records {
                let raw = RawEvent(record: record)
                if raw.triggers & Physics.Trigger.hadron.rawValue != 0 { masses.append(RecoEvent(raw, constants: constants).mass) }
            }
        }
        let data = try JSONEncoder().encode(MassPeak(masses))
        print(String(decoding: data, as: UTF8.self))
    }
}
