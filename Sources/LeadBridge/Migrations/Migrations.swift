import Fluent

/// Every migration, in the order it runs. A new one is appended, never inserted.
enum AppMigrations {
    static let all: [any Migration] = [
        CreateUsers(),
        CreateSessions(),
        CreateContactSubmissions(),
        CreateIntegrationSettings(),
        CreateIntegrationLogs(),
        CreateRingCentralAccounts(),
        CreateRingCentralTokens(),
        CreateCallLogs(),
        CreateJobs(),
        AddSyncError(),
        CreateAdvisoryLocks(),
        CreateSuiteDashExports(),
        ExtendRingCentralTokens(),
        CreateRingCentralActivity(),
        AddCallLogOtherParty(),
        AddSignInDefences(),
        CountEnquiries(),
        IndexEnquirySearch(),
        IndexAdminLists(),
        ShareRingCentralBudget(),
        CountByDay(),
        RememberSuiteDashContacts(),
        KeepPeoplesData(),
        AddSpeedToLead(),
        AnalyzeNewIndexes(),
        KeepVisitorClaimsApart(),
        ForgetKnownBrowsers(),
    ]
}
