/// Whether a request that got no readable answer may still have been carried out by the
/// provider. A refused connection, a failed name lookup or a connect timeout never reached it;
/// a read timeout or a connection dropped after sending may have. Used wherever doing a thing
/// twice is worse than not at all (a text, a contact), so that a maybe is never retried.
enum UnansweredRequest {
    static func mayHaveReachedProvider(_ transportError: String) -> Bool {
        let text = transportError.lowercased()
        return !["refused", "connecttimeout", "nioconnectionerror", "dns", "nosuchhost", "unreachable"].contains { text.contains($0) }
    }
}
