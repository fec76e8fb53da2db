import Foundation
import Logging
import Testing
@testable import LeadBridge

@Suite("Sealed secrets")
struct SecretBoxTests {
    let box = SecretBox(current: AppKey.generate())

    @Test func roundTrip() throws {
        let sealed = try box.seal("s3cr3t-refresh-token", context: "ringcentral_tokens.refresh_token")
        #expect(!sealed.contains("s3cr3t"))
        #expect(try box.open(sealed, context: "ringcentral_tokens.refresh_token") == "s3cr3t-refresh-token")
        #expect(try box.seal("same", context: "c") != box.seal("same", context: "c"), "a fresh nonce each time")
    }

    @Test func tamperingIsDetected() throws {
        let sealed = try box.seal("secret", context: "c")
        var payload = Array(Data(base64Encoded: String(sealed.split(separator: ".")[2]))!)
        payload[payload.count / 2] ^= 0x01
        let forged = sealed.split(separator: ".")[0...1].joined(separator: ".") + "." + Data(payload).base64EncodedString()
        #expect(throws: SecretBoxError.tampered) { try box.open(forged, context: "c") }
        #expect(throws: SecretBoxError.tampered) { try box.open(sealed, context: "another.column") }
        #expect(throws: SecretBoxError.malformed) { try box.open("plain text", context: "c") }
    }

    @Test func rotationOpensOldValuesAndSealsNewOnesUnderTheNewKey() throws {
        let oldKey = AppKey.generate(), newKey = AppKey.generate()
        let sealedBefore = try SecretBox(current: oldKey).seal("kept", context: "c")

        let rotated = SecretBox(current: newKey, previous: [oldKey])
        #expect(try rotated.open(sealedBefore, context: "c") == "kept")
        #expect(rotated.needsResealing(sealedBefore))
        let sealedAfter = try rotated.seal("kept", context: "c")
        #expect(sealedAfter.split(separator: ".")[1] == Substring(newKey.id))
        #expect(!rotated.needsResealing(sealedAfter))

        #expect(throws: SecretBoxError.unknownKey(oldKey.id)) { try SecretBox(current: newKey).open(sealedBefore, context: "c") }
    }

    @Test func appKeyParsesItsOwnEncodingAndRefusesJunk() throws {
        let key = AppKey.generate()
        #expect(try AppKey(encoded: key.encoded).id == key.id)
        #expect(throws: AppKeyError.self) { try AppKey(encoded: "base64:dG9vIHNob3J0") }
        #expect(throws: AppKeyError.self) { try AppKey(encoded: "not base64 at all!") }
    }

    @Test func missingKeyStopsProductionButIsGeneratedOnceInDevelopment() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lb-key-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let config = try AppConfig.load(from: ["STORAGE_PATH": folder])
        let logger = Logger(label: "test")

        #expect(throws: AppKeyError.missingInProduction) {
            try AppKeyLoader.secretBox(config: config, isProduction: true, logger: logger)
        }
        let first = try AppKeyLoader.secretBox(config: config, isProduction: false, logger: logger)
        let second = try AppKeyLoader.secretBox(config: config, isProduction: false, logger: logger)
        #expect(first.currentKey.id == second.currentKey.id)
        let attributes = try FileManager.default.attributesOfItem(atPath: folder + "/app.key")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(String(describing: AppKeyError.missingInProduction).contains("leadbridge key generate"))
    }
}
