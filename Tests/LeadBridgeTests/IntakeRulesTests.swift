import Testing
@testable import LeadBridge

@Suite("Intake rules")
struct IntakeRulesTests {
    @Test(arguments: [
        ("(415) 555-0100", "US", "+14155550100"),
        ("1 415 555 0100", "US", "+14155550100"),
        ("+1 415.555.0100", "GB", "+14155550100"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("+44 (0)20 7946 0958", "US", "+442079460958"),
        ("0044 20 7946 0958", "US", "+442079460958"),
        ("0412 345 678", "AU", "+61412345678"),
        ("030 123456", "DE", "+4930123456"),
        ("+353 1 234 5678", "US", "+35312345678"),
        ("+999 1234 5678", "US", "+99912345678"),
    ] as [(String, String, String?)])
    func phoneNumbersBecomeE164(input: String, country: String, expected: String?) {
        let result = try? PhoneNumberNormalizer.normalize(input, defaultCountry: country).get()
        #expect(result == expected)
    }

    @Test(arguments: ["12", "555 0100", "+1 011 555 0100", "+1 415 155 0100", "+44 12", "0000000000", "+1234567890123456"])
    func impossibleNumbersAreRefused(input: String) {
        #expect(PhoneNumberNormalizer.normalize(input, defaultCountry: "US") == .failure(.impossible))
    }

    @Test(arguments: ["415-555-CALL", "call me", "+1 415 555 0100 ext 2", "٤١٥٥٥٥٠١٠٠"])
    func lettersInPhoneNumbersAreRefused(input: String) {
        #expect(PhoneNumberNormalizer.normalize(input, defaultCountry: "US") == .failure(.notDigits))
    }

    @Test func emailAddresses() {
        #expect(EmailAddress.normalize(" Ada.Lovelace+leads@Example.CO.uk ") == "ada.lovelace+leads@example.co.uk")
        #expect(EmailAddress.normalize("o'brien@xn--bcher-kva.de") == "o'brien@xn--bcher-kva.de")
        for bad in ["plain", "a@b", "a@@b.com", "a b@c.com", ".a@b.com", "a..b@c.com", "a@-b.com", "a@b.c", "a@b.123",
                    "<script>@x.com", String(repeating: "a", count: 65) + "@x.com"] {
            #expect(EmailAddress.normalize(bad) == nil, "\(bad)")
        }
    }

    @Test func unknownDefaultCountryIsAConfigurationError() {
        #expect(throws: ConfigurationError.self) { try AppConfig.load(from: ["CONTACT_DEFAULT_COUNTRY": "XX"]) }
        #expect(throws: ConfigurationError.self) { try AppConfig.load(from: ["PORT": "eighty"]) }
        #expect(throws: ConfigurationError.self) { try AppConfig.load(from: ["SUITEDASH_MODE": "magic"]) }
    }

    @Test func configurationDefaultsNeedNoEnvironment() throws {
        let config = try AppConfig.load(from: [:])
        #expect(config.port == 8000)
        #expect(config.hostname == "127.0.0.1")
        #expect(config.databaseURL == nil)
        #expect(config.sqlitePath == "storage/database.sqlite")
        #expect(config.suiteDash.apiURL == "https://app.suitedash.com/secure-api")
        #expect(config.ringCentral.redirectURI == "http://localhost:8000/api/integrations/ringcentral/callback")
        // The callback lives where the admin is opened, so the browser comes back with its cookies.
        #expect(try AppConfig.load(from: ["APP_URL": "https://leads.example.com/"]).ringCentral.redirectURI
            == "https://leads.example.com/api/integrations/ringcentral/callback")
        #expect(try AppConfig.load(from: ["APP_URL": "https://leads.example.com", "RINGCENTRAL_REDIRECT_URI": "https://other.example/cb"])
            .ringCentral.redirectURI == "https://other.example/cb")
        #expect(config.intake.rateLimit == 10)
        #expect(try AppConfig.load(from: ["INTAKE_RATE_LIMIT": "0"]).intake.rateLimit == nil)
    }
}
