import Fluent

/// The enquiry list's orders. Each reads an index (018/019 for the newest, 024 for first
/// contact and for those still waiting), so a sort stays fast at a million rows.
enum EnquiryListSort: String, CaseIterable, Sendable {
    case newest = "newest"
    /// Contacted ones only, by time to first contact.
    case fastestContact = "first_contact"
    case slowestContact = "first_contact_desc"
    /// Not yet called or texted (with a phone), the longest waiting first.
    case waiting = "waiting"

    var label: String {
        switch self {
        case .newest: return "Newest first"
        case .fastestContact: return "First contact: fastest"
        case .slowestContact: return "First contact: slowest"
        case .waiting: return "Waiting: oldest first"
        }
    }

    func apply(to query: QueryBuilder<Enquiry>) -> QueryBuilder<Enquiry> {
        switch self {
        case .newest:
            return query.sort(\.$createdAt, .descending).sort(\.$id, .descending)
        case .fastestContact:
            return query.filter(\.$firstContactSeconds != nil).sort(\.$firstContactSeconds, .ascending).sort(\.$id, .ascending)
        case .slowestContact:
            return query.filter(\.$firstContactSeconds != nil).sort(\.$firstContactSeconds, .descending).sort(\.$id, .descending)
        case .waiting:
            // Spam waits for nobody.
            return query.filter(\.$firstContactAt == nil).filter(\.$phone != nil).filter(\.$status != .spam)
                .sort(\.$createdAt, .ascending).sort(\.$id, .ascending)
        }
    }
}
