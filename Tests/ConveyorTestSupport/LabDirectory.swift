import ConveyorCore
import Foundation

/// The OpenLDAP directory `scripts/test` starts (scripts/slapd), seeded with alice (ecl-calib),
/// bob (data-production), carol (shifters), dave (conveyor-admins), eve (no mapped group) and
/// frank (ecl-calib, no e-mail); each one's password is NAME-pw.
public enum LabDirectory {
    /// `ldap://127.0.0.1:PORT`, exported by scripts/test as CONVEYOR_TEST_LDAP_URL.
    public static var url: String? {
        ProcessInfo.processInfo.environment["CONVEYOR_TEST_LDAP_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether the directory suites run: with a directory, and always under CI (where a missing one fails them).
    public static var enabled: Bool { url != nil || TestBackend.isCI }

    /// The people configuration's directory section for the seeded directory (or for `url`).
    /// The timeout is generous: a loaded test machine must not turn a slow answer into "down".
    public static func configuration(url: String? = nil, timeout: Int = 30, extra: String = "") throws -> DirectoryConfiguration {
        guard let url = url ?? Self.url else {
            throw ConveyorError.unavailable("CONVEYOR_TEST_LDAP_URL is not set: no directory to sign in against (scripts/test starts one)")
        }
        let json = """
            {"url": "\(url)", "user_dn": "uid={user},ou=people,dc=lab,dc=test", "groups_base": "ou=groups,dc=lab,dc=test", "timeout": \(timeout),
             "groups": [{"group": "conveyor-admins", "role": "admin"}, {"group": "data-production", "role": "manager"},
                        {"group": "ecl-calib", "role": "expert", "responsibilities": ["ecl_gains"]},
                        {"group": "shifters", "role": "expert", "responsibilities": ["run_quality"]}]\(extra)}
            """
        return try DirectoryConfiguration(configuration: ConfigurationValue(json: Data(json.utf8), file: "people.json"))
    }
}
