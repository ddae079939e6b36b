import ConveyorCore
import Foundation
import Testing

@Suite("Timestamps")
struct TimestampTests {
    @Test func formatsWithMicrosecondsInUTC() {
        let t = Timestamp(microsecondsSinceEpoch: 1_795_341_600_123_456)
        #expect(t.iso8601 == "2026-11-22T10:00:00.123456Z")
    }

    @Test func roundTripsExactlyThroughText() throws {
        for micros: Int64 in [0, 1, 999_999, 1_795_341_600_123_456, -1_500_000] {
            let t = Timestamp(microsecondsSinceEpoch: micros)
            #expect(try Timestamp(parsing: t.iso8601) == t)
        }
    }

    @Test(arguments: [
        ("2026-11-22", Int64(1_795_305_600_000_000)),
        ("2026-11-22T10:00:00Z", Int64(1_795_341_600_000_000)),
        ("2026-11-22T10:00:00", Int64(1_795_341_600_000_000)),
        ("2026-11-22T10:00:00.5Z", Int64(1_795_341_600_500_000)),
        ("2026-11-22T11:00:00+01:00", Int64(1_795_341_600_000_000)),
    ])
    func parsesTheUsualForms(text: String, micros: Int64) throws {
        #expect(try Timestamp(parsing: text).microsecondsSinceEpoch == micros)
    }

    @Test(arguments: ["yesterday", "2026-13-01", "", "2026-11-22T25:00:00Z", "12345", "2026-02-30"])
    func refusesWhatIsNotATimestamp(text: String) {
        #expect(throws: ConveyorError.self) { try Timestamp(parsing: text) }
    }

    @Test func codableAsISOString() throws {
        let t = Timestamp(microsecondsSinceEpoch: 1_795_341_600_000_001)
        let data = try JSONEncoder().encode([t])
        #expect(String(decoding: data, as: UTF8.self) == "[\"2026-11-22T10:00:00.000001Z\"]")
        #expect(try JSONDecoder().decode([Timestamp].self, from: data) == [t])
    }
}
