import ConveyorCore
import Foundation

/// Parsing of the domain's values from command-line text, with the domain's one-line errors.
extension GlobalOptions {
    static func timestamp(_ text: String?) throws(ConveyorError) -> Timestamp? {
        try text.map { text throws(ConveyorError) in try Timestamp(parsing: text) }
    }

    static func run(_ text: String) throws(ConveyorError) -> ExpRun {
        try ExpRun(parsing: text)
    }

    static func runOrNil(_ text: String?) throws(ConveyorError) -> ExpRun? {
        try text.map { text throws(ConveyorError) in try ExpRun(parsing: text) }
    }

    static func interval(_ text: String?) throws(ConveyorError) -> IntervalOfValidity? {
        try text.map { text throws(ConveyorError) in try IntervalOfValidity(parsing: text) }
    }
}

extension GlobalOptions {
    /// A file named on the command line, or a one-line refusal.
    static func read(_ file: String) throws(ConveyorError) -> Data {
        guard let data = FileManager.default.contents(atPath: file) else { throw .invalidInput("cannot read '\(file)'") }
        return data
    }
}
