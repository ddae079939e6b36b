import SwiftASN1

/// The few LDAPv3 messages (RFC 4511) a sign-in needs: a simple bind, a search, an unbind, and
/// their answers. Requests are written in DER, which every LDAP server reads as BER; answers are
/// read as BER.
///
/// ```swift
/// let bytes = try LDAPMessage.bind(id: 1, dn: "uid=alice,ou=people,dc=lab,dc=test", password: "…")
/// let answer = try LDAPMessage.Response(bytes: received)   // .result(id: 1, LDAPResult(code: 0, …))
/// ```
enum LDAPMessage {
    static let bindRequest = ASN1Identifier(tagWithNumber: 0, tagClass: .application)
    static let bindResponse = ASN1Identifier(tagWithNumber: 1, tagClass: .application)
    static let unbindRequest = ASN1Identifier(tagWithNumber: 2, tagClass: .application)
    static let searchRequest = ASN1Identifier(tagWithNumber: 3, tagClass: .application)
    static let searchResultEntry = ASN1Identifier(tagWithNumber: 4, tagClass: .application)
    static let searchResultDone = ASN1Identifier(tagWithNumber: 5, tagClass: .application)
    static let searchResultReference = ASN1Identifier(tagWithNumber: 19, tagClass: .application)
    static let extendedResponse = ASN1Identifier(tagWithNumber: 24, tagClass: .application)

    /// A search's scope.
    enum Scope: UInt8 {
        case base = 0
        case oneLevel = 1
        case subtree = 2
    }

    /// A search filter: the shapes a sign-in needs.
    indirect enum Filter: Sendable, Equatable {
        case and([Filter])
        case equal(attribute: String, value: String)
        case present(attribute: String)
    }

    /// `BindRequest` with simple authentication.
    static func bind(id: Int, dn: String, password: String) throws -> [UInt8] {
        try message(id: id) { coder in
            try coder.appendConstructedNode(identifier: bindRequest) { coder in
                try coder.serialize(3)
                coder.appendOctets(dn)
                coder.appendPrimitiveNode(identifier: ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)) {
                    $0.append(contentsOf: Array(password.utf8))
                }
            }
        }
    }

    /// `SearchRequest` without size or time limits of its own (the connection has a deadline).
    static func search(id: Int, base: String, scope: Scope, filter: Filter, attributes: [String]) throws -> [UInt8] {
        try message(id: id) { coder in
            try coder.appendConstructedNode(identifier: searchRequest) { coder in
                coder.appendOctets(base)
                coder.appendPrimitiveNode(identifier: .enumerated) { $0.append(scope.rawValue) }
                coder.appendPrimitiveNode(identifier: .enumerated) { $0.append(0) }  // never dereference aliases
                try coder.serialize(0)
                try coder.serialize(0)
                try coder.serialize(false)
                try append(filter, to: &coder)
                coder.appendConstructedNode(identifier: .sequence) { coder in
                    for attribute in attributes { coder.appendOctets(attribute) }
                }
            }
        }
    }

    static func unbind(id: Int) throws -> [UInt8] {
        try message(id: id) { coder in coder.appendPrimitiveNode(identifier: unbindRequest) { _ in } }
    }

    private static func message(id: Int, _ operation: (inout DER.Serializer) throws -> Void) throws -> [UInt8] {
        var coder = DER.Serializer()
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(id)
            try operation(&coder)
        }
        return coder.serializedBytes
    }

    private static func append(_ filter: Filter, to coder: inout DER.Serializer) throws {
        switch filter {
        case .and(let parts):
            try coder.appendConstructedNode(identifier: ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)) { coder in
                for part in parts { try append(part, to: &coder) }
            }
        case .equal(let attribute, let value):
            coder.appendConstructedNode(identifier: ASN1Identifier(tagWithNumber: 3, tagClass: .contextSpecific)) { coder in
                coder.appendOctets(attribute)
                coder.appendOctets(value)
            }
        case .present(let attribute):
            coder.appendPrimitiveNode(identifier: ASN1Identifier(tagWithNumber: 7, tagClass: .contextSpecific)) { $0.append(contentsOf: Array(attribute.utf8)) }
        }
    }
}

extension DER.Serializer {
    fileprivate mutating func appendOctets(_ text: String) {
        appendPrimitiveNode(identifier: .octetString) { $0.append(contentsOf: Array(text.utf8)) }
    }
}
