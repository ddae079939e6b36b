import ConveyorCore
import ConveyorStore

extension Accounts {
    /// What the directory said about a person who gave their password.
    public struct DirectoryPerson: Sendable, Equatable {
        public var name: String
        public var email: String?
        public var groups: [String]
    }

    /// Signs a person in on the pages with their lab account: binds to the directory as them
    /// (their password is checked there and never stored), looks up their groups, maps them to a
    /// role and responsibilities, keeps the account's row in step, and starts a session.
    ///
    /// Failed attempts are recorded and audited; past the configured number per user name or per
    /// client address within the window, attempts are refused without asking the directory. A
    /// directory that cannot be reached is not the person's failure: it is audited, not counted.
    ///
    /// ```swift
    /// let (actor, sessionID) = try await accounts.startSession(user: "alice", password: form.password, from: "10.0.0.7", directory: configuration)
    /// actor.role                // .expert, from group ecl-calib
    /// actor.responsibilities    // ["ecl_gains"]
    /// ```
    public func startSession(
        user name: String, password: String, from address: String, directory: DirectoryConfiguration, at now: Timestamp = .now
    ) async throws(ConveyorError) -> (actor: Actor, sessionID: String) {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard (try? User.validate(name: name)) != nil else {
            try await refuse(name: name.isEmpty ? "(none)" : String(name.prefix(64)), address: address, reason: "not a user name", at: now, counted: true)
            throw .unauthenticated("wrong user name or password")
        }
        // An empty password would be an anonymous bind, which directories accept: never send one.
        guard !password.isEmpty else { throw .unauthenticated("give your password") }
        try await checkRateLimit(name: name, address: address, directory: directory, at: now)
        let person: DirectoryPerson?
        do {
            person = try await Self.lookUp(name: name, password: password, in: directory)
        } catch {
            try await refuse(name: name, address: address, reason: "directory unreachable: \(error.message)", at: now, counted: false)
            throw .unavailable("the directory (\(directory.url)) cannot be reached: \(error.message); sign in with an API token instead")
        }
        guard let person else {
            try await refuse(name: name, address: address, reason: "wrong password", at: now, counted: true)
            throw .unauthenticated("wrong user name or password")
        }
        guard let grant = directory.grant(forGroups: person.groups) else {
            try await refuse(name: name, address: address, reason: "in no mapped group (\(person.groups.joined(separator: ", ")))", at: now, counted: true)
            throw .forbidden("\(name) is in no directory group that Conveyor maps to a role; ask an admin to map one of yours")
        }
        let actor = Actor(name: name, role: grant.role, responsibilities: grant.responsibilities)
        let id = AccessToken.generate().secret
        let expires = now.adding(seconds: Double(Self.sessionLifetime.components.seconds))
        try await store.write { session in
            if let existing = try await session.user(named: name) {
                if let revoked = existing.revokedAt { throw ConveyorError.unauthenticated("the account \(name) was revoked at \(revoked.short); ask an admin") }
                if existing.role != grant.role || existing.responsibilities != grant.responsibilities || existing.source != "directory" {
                    try await session.appendAudit(
                        AuditRecord(
                            at: now, actor: actor, action: "user.directory", subjectKind: "user", subject: name,
                            detail:
                                "role \(existing.role) → \(grant.role), responsibilities [\(existing.responsibilities.joined(separator: ","))] → [\(grant.responsibilities.joined(separator: ","))] from groups \(grant.groups.joined(separator: ", "))"
                        ))
                }
            } else {
                // The token is never shown: a directory account signs in with its password, and an
                // admin may give it an API token later.
                _ = try await session.insertUser(name: name, role: grant.role, tokenHash: AccessToken.generate().hash, createdAt: now, createdBy: "directory")
                try await session.appendAudit(
                    AuditRecord(
                        at: now, actor: actor, action: "user.add", subjectKind: "user", subject: name,
                        detail: "from the directory: role \(grant.role) from groups \(grant.groups.joined(separator: ", "))"))
            }
            try await session.updateUser(named: name, role: grant.role, email: person.email, responsibilities: grant.responsibilities, source: "directory")
            try await session.insertSession(idHash: AccessToken.hash(of: id), user: name, at: now, expiresAt: expires)
            try await session.appendAudit(
                AuditRecord(
                    at: now, actor: actor, action: "session.start", subjectKind: "user", subject: name,
                    detail: "directory sign-in from \(address) as \(grant.role) until \(expires.short)"))
        }
        tokenCache?.clear()
        return (actor, id)
    }

    /// Refuses when too many sign-ins failed lately for this name or from this address.
    func checkRateLimit(name: String, address: String, directory: DirectoryConfiguration, at now: Timestamp) async throws(ConveyorError) {
        let since = now.subtracting(seconds: directory.failureWindowSeconds)
        let failures = try await store.read { try await $0.signInFailures(user: name, address: address, since: since) }
        let window = InboxItem.describe(age: directory.failureWindowSeconds)
        if failures.user >= directory.failuresPerUser {
            let retry = (failures.userOldest ?? now).adding(seconds: directory.failureWindowSeconds)
            try await refuse(name: name, address: address, reason: "rate limited (\(failures.user) failures for the name)", at: now, counted: false)
            throw .unauthenticated("too many failed sign-ins for \(name) (\(failures.user) in \(window)); try again after \(retry.short)")
        }
        if failures.address >= directory.failuresPerAddress {
            let retry = (failures.addressOldest ?? now).adding(seconds: directory.failureWindowSeconds)
            try await refuse(name: name, address: address, reason: "rate limited (\(failures.address) failures from the address)", at: now, counted: false)
            throw .unauthenticated("too many failed sign-ins from \(address) (\(failures.address) in \(window)); try again after \(retry.short)")
        }
    }

    /// Audits a refused sign-in and, when it is the person's failure, counts it for rate limiting.
    func refuse(name: String, address: String, reason: String, at now: Timestamp, counted: Bool) async throws(ConveyorError) {
        try await store.write { session in
            if counted { try await session.insertSignInFailure(user: name, address: address, reason: reason, at: now) }
            try await session.appendAudit(
                AuditRecord(
                    at: now, actor: Actor(name: name, role: .viewer), action: "session.refused", subjectKind: "user", subject: name,
                    detail: "sign-in from \(address): \(reason)"))
        }
    }

    /// Asks the directory whether `password` is `name`'s, and if so their e-mail and groups; nil
    /// for a wrong password (or an unknown name: directories answer both alike).
    ///
    /// - Throws: ``ConveyorError/unavailable(_:)`` when the directory cannot be reached or answers
    ///   with anything but success or invalid credentials.
    public static func lookUp(name: String, password: String, in directory: DirectoryConfiguration) async throws(ConveyorError) -> DirectoryPerson? {
        let dn = directory.userDN(for: name)
        do {
            return try await LDAPConnection.converse(host: directory.host, port: directory.port, timeout: .milliseconds(Int(directory.timeoutSeconds * 1000))) {
                ldap in
                let bound = try await ldap.bind(dn: dn, password: password)
                if bound.code == LDAPResponse.invalidCredentials { return nil }
                guard bound.code == LDAPResponse.success else {
                    throw LDAPConnection.Unreachable(
                        description: "the bind was refused with code \(bound.code)\(bound.diagnostic.isEmpty ? "" : ": \(bound.diagnostic)")")
                }
                let (entries, _) = try await ldap.search(
                    base: dn, scope: .base, filter: .present(attribute: "objectClass"), attributes: [directory.mailAttribute])
                let email = entries.first?.values(directory.mailAttribute).first
                let (groups, done) = try await ldap.search(
                    base: directory.groupsBase, scope: .subtree, filter: .equal(attribute: directory.memberAttribute, value: directory.memberValue(name: name)),
                    attributes: ["cn"])
                guard done.code == LDAPResponse.success else {
                    throw LDAPConnection.Unreachable(
                        description: "the group search under \(directory.groupsBase) failed with code \(done.code) \(done.diagnostic)")
                }
                return DirectoryPerson(name: name, email: email, groups: groups.compactMap { $0.values("cn").first })
            }
        } catch let error as LDAPConnection.Unreachable {
            throw .unavailable(error.description)
        } catch {
            throw .unavailable("\(error)")
        }
    }
}
