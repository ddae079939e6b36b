import SwiftASN1

/// An LDAP server's answer to a request, read from one BER-encoded `LDAPMessage`.
///
/// ```swift
/// switch try LDAPResponse(bytes: frame) {
/// case .entry(_, let entry): entry.values("mail")
/// case .result(_, let result) where result.code == LDAPResponse.success: …
/// }
/// ```
enum LDAPResponse: Sendable, Equatable {
    /// `BindResponse`, `SearchResultDone` or an unsolicited notice (id 0): the request ended.
    case result(id: Int, LDAPResult)
    /// One `SearchResultEntry` of a search.
    case entry(id: Int, LDAPEntry)
    /// A `SearchResultReference`: a referral to another server, which a sign-in does not follow.
    case reference(id: Int)

    static let success = 0
    static let invalidCredentials = 49

    /// The message id the answer belongs to.
    var id: Int {
        switch self {
        case .result(let id, _), .entry(let id, _), .reference(let id): id
        }
    }

    /// Reads one message. - Throws: ``LDAPProtocolError`` when the bytes are not an LDAP answer.
    init(bytes: [UInt8]) throws {
        let root = try BER.parse(bytes)
        guard root.identifier == .sequence, case .constructed(let parts) = root.content else { throw LDAPProtocolError("the answer is not an LDAP message") }
        var iterator = parts.makeIterator()
        guard let idNode = iterator.next(), let operation = iterator.next() else { throw LDAPProtocolError("the answer has no message id or operation") }
        let id = try Int(berEncoded: idNode)
        switch operation.identifier {
        case LDAPMessage.bindResponse, LDAPMessage.searchResultDone, LDAPMessage.extendedResponse:
            self = .result(id: id, try LDAPResult(node: operation))
        case LDAPMessage.searchResultEntry:
            self = .entry(id: id, try LDAPEntry(node: operation))
        case LDAPMessage.searchResultReference:
            self = .reference(id: id)
        default:
            throw LDAPProtocolError("unexpected LDAP operation \(operation.identifier)")
        }
    }
}

/// `LDAPResult`: a result code and the server's words about it.
struct LDAPResult: Sendable, Equatable {
    var code: Int
    var matchedDN: String
    var diagnostic: String

    init(code: Int, matchedDN: String = "", diagnostic: String = "") {
        self.code = code
        self.matchedDN = matchedDN
        self.diagnostic = diagnostic
    }

    init(node: ASN1Node) throws {
        guard case .constructed(let parts) = node.content else { throw LDAPProtocolError("an LDAP result is not constructed") }
        var iterator = parts.makeIterator()
        guard let codeNode = iterator.next(), case .primitive(let codeBytes) = codeNode.content,
            let matched = iterator.next(), let message = iterator.next()
        else { throw LDAPProtocolError("an LDAP result lacks its code, matched DN or message") }
        var code = 0
        for byte in codeBytes.prefix(4) { code = code << 8 | Int(byte) }
        self.init(code: code, matchedDN: try String(octets: matched), diagnostic: try String(octets: message))
    }
}

/// `SearchResultEntry`: a DN and its attributes.
struct LDAPEntry: Sendable, Equatable {
    var dn: String
    var attributes: [String: [String]]

    /// The values of an attribute, whatever case its name was sent in.
    func values(_ attribute: String) -> [String] {
        attributes.first { $0.key.caseInsensitiveCompare(attribute) == .orderedSame }?.value ?? []
    }

    init(dn: String, attributes: [String: [String]]) {
        self.dn = dn
        self.attributes = attributes
    }

    init(node: ASN1Node) throws {
        guard case .constructed(let parts) = node.content else { throw LDAPProtocolError("a search entry is not constructed") }
        var iterator = parts.makeIterator()
        guard let dnNode = iterator.next(), let list = iterator.next(), case .constructed(let attributes) = list.content else {
            throw LDAPProtocolError("a search entry lacks its DN or attributes")
        }
        var values: [String: [String]] = [:]
        for attribute in attributes {
            guard case .constructed(let pair) = attribute.content else { continue }
            var pairIterator = pair.makeIterator()
            guard let typeNode = pairIterator.next(), let valuesNode = pairIterator.next(), case .constructed(let set) = valuesNode.content else { continue }
            let type = try String(octets: typeNode)
            values[type, default: []] += try set.map { try String(octets: $0) }
        }
        self.init(dn: try String(octets: dnNode), attributes: values)
    }
}

/// An answer that does not follow LDAPv3.
struct LDAPProtocolError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension String {
    fileprivate init(octets node: ASN1Node) throws {
        guard case .primitive(let bytes) = node.content else { throw LDAPProtocolError("expected an octet string") }
        self = String(decoding: bytes, as: UTF8.self)
    }
}
