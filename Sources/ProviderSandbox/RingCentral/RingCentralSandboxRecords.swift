import Foundation

extension RingCentralSandbox {
    /// A RingOut (two-legged call) as placed through the API.
    public struct RingOut: Sendable, Equatable {
        public var id: String
        public var from: String
        public var to: String
        public var callerID: String?
        public var playPrompt: Bool
        public var created: Date
        public var callStatus: String
        public var callerStatus: String
        public var calleeStatus: String
        /// Cancelled by `DELETE .../ring-out/{id}`; RingCentral then answers 404 for it.
        public var cancelled: Bool
        /// Written to the call log once its status was final.
        public var logged: Bool
    }

    /// An SMS in the message store, sent through the API or received by `simulateInboundSMS`.
    public struct Message: Sendable, Equatable {
        public var id: Int
        public var direction: String
        public var from: String
        public var to: [String]
        public var text: String
        public var creationTime: Date
        public var lastModifiedTime: Date
        public var messageStatus: String
        public var conversationID: Int
        /// Status an outbound message ends in ("Delivered", or "DeliveryFailed").
        var finalStatus: String
    }

    /// One call-log record.
    public struct CallRecord: Sendable, Equatable {
        public var id: String
        public var sessionID: String
        public var telephonySessionID: String
        public var startTime: Date
        public var duration: Int
        public var direction: String
        public var action: String
        public var result: String
        public var from: String
        public var fromName: String?
        public var to: String
        public var toName: String?
        public var recordingID: String?
        /// The extension whose log holds the call: the connected user's, or a colleague's (only
        /// the company log, `GET /account/~/call-log`, shows a colleague's calls).
        public var extensionID: String = RingCentralSandbox.extensionID
    }

    /// A webhook subscription.
    public struct Subscription: Sendable, Equatable {
        public var id: String
        /// Event filters with `~` expanded to the account and extension ids, as RingCentral answers them.
        public var eventFilters: [String]
        public var address: String
        public var verificationToken: String?
        /// Sent as `Validation-Token` with the handshake and with every notification.
        public var validationToken: String
        public var creationTime: Date
        public var expirationTime: Date
        public var expiresIn: Int
        /// "Active" or "Blacklisted".
        public var status: String
        public var blacklistedAt: Date?
        public var blacklistReason: String?
        /// Filters RingCentral accepted but will not deliver, with why (`disabledFilters`).
        public var disabledFilters: [DisabledFilter] = []
    }

    /// The spec's `DisabledFilterInfo`.
    public struct DisabledFilter: Sendable, Equatable {
        public var filter: String
        public var reason: String
    }
}
