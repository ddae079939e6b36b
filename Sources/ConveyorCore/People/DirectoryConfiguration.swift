/// How people sign in with the lab's accounts: the LDAP directory that checks their password, and
/// how its groups map to Conveyor roles and to named responsibilities (a responsibility is what a
/// sign-off names when it waits for a group rather than a person, e.g. `ecl_gains`).
///
/// ```yaml
/// directory:
///   url: ldap://ldap.lab.example:389
///   user_dn: uid={user},ou=people,dc=lab,dc=example
///   groups_base: ou=groups,dc=lab,dc=example
///   groups:
///     - {group: data-production, role: manager}
///     - {group: ecl-calib, role: expert, responsibilities: [ecl_gains]}
/// ```
///
/// ```swift
/// let grant = directory.grant(forGroups: ["ecl-calib", "belle"])   // expert, [ecl_gains]
/// directory.userDN(for: "alice")                                    // uid=alice,ou=people,dc=lab,dc=example
/// ```
public struct DirectoryConfiguration: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// The user's entry, with `{user}` where the sign-in name goes.
    public var userDNTemplate: String
    /// Where groups are searched for (subtree).
    public var groupsBase: String
    /// The group attribute that lists members: `member`/`uniqueMember` hold DNs, `memberUid` holds names.
    public var memberAttribute: String
    /// The user attribute holding their e-mail address.
    public var mailAttribute: String
    public var timeoutSeconds: Double
    public var groups: [GroupGrant]
    /// Failed sign-ins allowed per user name, and per client address, within `failureWindowSeconds`.
    public var failuresPerUser: Int
    public var failuresPerAddress: Int
    public var failureWindowSeconds: Double

    /// What belonging to one directory group grants.
    public struct GroupGrant: Sendable, Equatable, Codable {
        public var group: String
        public var role: Role
        public var responsibilities: [String]

        public init(group: String, role: Role, responsibilities: [String] = []) {
            self.group = group
            self.role = role
            self.responsibilities = responsibilities
        }
    }

    /// A signed-in person's role (the highest of their groups') and responsibilities (all of them).
    public struct Grant: Sendable, Equatable {
        public var role: Role
        public var responsibilities: [String]
        /// The directory groups that granted them.
        public var groups: [String]
    }

    public init(
        host: String, port: Int = 389, userDNTemplate: String, groupsBase: String, memberAttribute: String = "member", mailAttribute: String = "mail",
        timeoutSeconds: Double = 5, groups: [GroupGrant], failuresPerUser: Int = 5, failuresPerAddress: Int = 20, failureWindowSeconds: Double = 900
    ) {
        self.host = host
        self.port = port
        self.userDNTemplate = userDNTemplate
        self.groupsBase = groupsBase
        self.memberAttribute = memberAttribute
        self.mailAttribute = mailAttribute
        self.timeoutSeconds = timeoutSeconds
        self.groups = groups
        self.failuresPerUser = failuresPerUser
        self.failuresPerAddress = failuresPerAddress
        self.failureWindowSeconds = failureWindowSeconds
    }

    /// `ldap://host:port`, for messages.
    public var url: String { "ldap://\(host):\(port)" }

    /// The DN a user binds as. Sign-in names are checked by ``User/validate(name:)`` first, so
    /// they hold no character that is special in a DN.
    public func userDN(for name: String) -> String {
        userDNTemplate.replacingOccurrences(of: "{user}", with: name)
    }

    /// What a member is listed as in a group: their DN, or their name for `memberUid`.
    public func memberValue(name: String) -> String {
        memberAttribute.caseInsensitiveCompare("memberUid") == .orderedSame ? name : userDN(for: name)
    }

    /// The grant of these groups; nil when none of them is mapped (such a person may not sign in).
    public func grant(forGroups names: [String]) -> Grant? {
        let held = Set(names.map { $0.lowercased() })
        let matching = groups.filter { held.contains($0.group.lowercased()) }
        guard let role = matching.map(\.role).max() else { return nil }
        var responsibilities: [String] = []
        for grant in matching { for name in grant.responsibilities where !responsibilities.contains(name) { responsibilities.append(name) } }
        return Grant(role: role, responsibilities: responsibilities, groups: matching.map(\.group))
    }
}

extension DirectoryConfiguration {
    /// Reads the `directory` section of a people configuration.
    public init(configuration d: ConfigurationValue) throws(ConveyorError) {
        try d.onlyKeys(["url", "user_dn", "groups_base", "member_attribute", "mail_attribute", "timeout", "failed_sign_ins", "groups"])
        let url = try d["url"].string()
        guard url.lowercased().hasPrefix("ldap://") else {
            throw d["url"].error("give ldap://HOST[:PORT] (ldaps:// is not supported yet: reach the directory over a trusted network or a local TLS tunnel)")
        }
        var hostPort = String(url.dropFirst("ldap://".count))
        if hostPort.hasSuffix("/") { hostPort.removeLast() }
        var port = 389
        if let colon = hostPort.lastIndex(of: ":") {
            guard let number = Int(hostPort[hostPort.index(after: colon)...]), (1...65_535).contains(number) else {
                throw d["url"].error("'\(url)' has no valid port")
            }
            port = number
            hostPort = String(hostPort[..<colon])
        }
        guard !hostPort.isEmpty, !hostPort.contains("/") else { throw d["url"].error("'\(url)' names no host") }
        let template = try d["user_dn"].string()
        guard template.contains("{user}") else { throw d["user_dn"].error("must contain {user}, where the sign-in name goes") }
        let member = try d["member_attribute"].string(default: "member")
        guard ["member", "uniquemember", "memberuid"].contains(member.lowercased()) else {
            throw d["member_attribute"].error("expected member, uniqueMember or memberUid, found '\(member)'")
        }
        let timeout = try d["timeout"].duration(default: 5)
        guard timeout > 0, timeout <= 120 else { throw d["timeout"].error("a timeout from 1 s to 2 min") }
        let failures = d["failed_sign_ins"]
        if !failures.isMissing { try failures.onlyKeys(["per_user", "per_address", "window"]) }
        var grants: [GroupGrant] = []
        for item in try d["groups"].list() {
            try item.onlyKeys(["group", "role", "responsibilities"])
            let group = try item["group"].string()
            guard !grants.contains(where: { $0.group.caseInsensitiveCompare(group) == .orderedSame }) else {
                throw item["group"].error("group '\(group)' is mapped twice")
            }
            grants.append(GroupGrant(group: group, role: try item["role"].named(Role.self), responsibilities: try item["responsibilities"].strings()))
        }
        guard !grants.isEmpty else { throw d["groups"].error("map at least one directory group to a role") }
        let window = try failures["window"].duration(default: 900)
        guard window >= 1 else { throw failures["window"].error("a window of at least 1 s") }
        self.init(
            host: hostPort, port: port, userDNTemplate: template, groupsBase: try d["groups_base"].string(), memberAttribute: member,
            mailAttribute: try d["mail_attribute"].string(default: "mail"), timeoutSeconds: timeout, groups: grants,
            failuresPerUser: try failures["per_user"].int(default: 5, minimum: 1), failuresPerAddress: try failures["per_address"].int(default: 20, minimum: 1),
            failureWindowSeconds: window)
    }
}
