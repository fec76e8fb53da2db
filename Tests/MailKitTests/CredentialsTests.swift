import Testing
@testable import MailKit

@Suite struct CredentialsTests {
    @Test("credentials interpolated into a string, alone or inside a configuration, never show the password")
    func descriptionsHideThePassword() {
        let credentials = SMTPConfiguration.Credentials(username: "leads", password: "hunter2-secret")
        #expect(!"\(credentials)".contains("hunter2-secret") && "\(credentials)".contains("leads"))
        let configuration = SMTPConfiguration(host: "smtp.example.com", port: 587, encryption: .startTLS, credentials: credentials)
        #expect(!"\(configuration)".contains("hunter2-secret"))
        #expect(!String(reflecting: configuration).contains("hunter2-secret"))
    }
}
