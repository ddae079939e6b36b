import ConveyorAccess
import ConveyorCore
import ConveyorStore
import Hummingbird

// The shared listing types are answered as JSON as they are.
extension DatabaseSummary: ResponseEncodable {}
extension UserList: ResponseEncodable {}
extension CreatedUser: ResponseEncodable {}
extension AuditList: ResponseEncodable {}
extension User: ResponseEncodable {}
