import Leaf
import LeafKit
import Vapor

/// Leaf, with one rule changed: an empty string in a page's context is *absent*.
///
/// Leaf's `#if(x)` is true for any value that is not nil or `false`, including `""` and `0`.
/// Pages are full of optional text (a last test, a CRM id, a sync error) held as empty
/// strings, so `#if(externalID):…#else:not synced yet#endif` printed nothing instead of
/// "not synced yet", and a never-run test showed "Failed". Writing empty strings as nil
/// here fixes every such condition at once, and `#(x)` still prints nothing for them.
///
/// The context goes through Leaf's own encoder, wrapped so that each empty string is
/// encoded as nil on the way: no second encoding (a JSON round trip cost the contact page
/// about a quarter of its requests per second).
struct BlankAwareViews: ViewRenderer {
    let leaf: LeafRenderer

    func `for`(_ request: Request) -> any ViewRenderer {
        BlankAwareViews(leaf: request.leaf)
    }

    func render<E: Encodable>(_ name: String, _ context: E) -> EventLoopFuture<View> {
        leaf.render(path: name, context: BlankAsNil(context)).map { View(data: $0) }
    }
}

extension Application.Views.Provider {
    static var blankAwareLeaf: Self {
        .init { app in
            app.views.use { app in BlankAwareViews(leaf: app.leaf.renderer) }
        }
    }
}

/// A value that encodes itself with every empty string written as nil.
struct BlankAsNil<Value: Encodable>: Encodable {
    let value: Value
    init(_ value: Value) { self.value = value }

    func encode(to encoder: any Encoder) throws {
        if let text = value as? String {
            var single = encoder.singleValueContainer()
            return text.isEmpty ? try single.encodeNil() : try single.encode(text)
        }
        try value.encode(to: BlankAsNilEncoder(base: encoder))
    }
}

/// Hands out containers that pass everything on to `base`'s, empty strings as nil.
private struct BlankAsNilEncoder: Encoder {
    let base: any Encoder
    var codingPath: [any CodingKey] { base.codingPath }
    var userInfo: [CodingUserInfoKey: Any] { base.userInfo }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(Keyed(base: base.container(keyedBy: type)))
    }
    func unkeyedContainer() -> any UnkeyedEncodingContainer { Unkeyed(base: base.unkeyedContainer()) }
    func singleValueContainer() -> any SingleValueEncodingContainer { Single(base: base.singleValueContainer()) }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        var base: KeyedEncodingContainer<Key>
        var codingPath: [any CodingKey] { base.codingPath }
        mutating func encodeNil(forKey key: Key) throws { try base.encodeNil(forKey: key) }
        mutating func encode(_ value: String, forKey key: Key) throws {
            value.isEmpty ? try base.encodeNil(forKey: key) : try base.encode(value, forKey: key)
        }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try base.encode(BlankAsNil(value), forKey: key) }
        mutating func encode(_ value: Bool, forKey key: Key) throws { try base.encode(value, forKey: key) }
        mutating func encode(_ value: Double, forKey key: Key) throws { try base.encode(value, forKey: key) }
        mutating func encode(_ value: Float, forKey key: Key) throws { try base.encode(value, forKey: key) }
        mutating func encode(_ value: Int, forKey key: Key) throws { try base.encode(value, forKey: key) }
        mutating func encode(_ value: Int8, forKey key: Key) throws { try base.encode(value, forKey: key) }
        mutating func encode(_ value: Int16, forKey key: Key) throws { try base.encode(value, forKey: key) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { try base.encode(value, forKey: key) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { try base.encode(value, forKey: key) }
        mutating func encode(_ value: UInt, forKey key: Key) throws { try base.encode(value, forKey: key) }
        mutating func encode(_ value: UInt8, forKey key: Key) throws { try base.encode(value, forKey: key) }
        mutating func encode(_ value: UInt16, forKey key: Key) throws { try base.encode(value, forKey: key) }
        mutating func encode(_ value: UInt32, forKey key: Key) throws { try base.encode(value, forKey: key) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws { try base.encode(value, forKey: key) }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type,
                                                           forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            KeyedEncodingContainer(Keyed<NestedKey>(base: base.nestedContainer(keyedBy: keyType, forKey: key)))
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            Unkeyed(base: base.nestedUnkeyedContainer(forKey: key))
        }
        mutating func superEncoder() -> any Encoder { BlankAsNilEncoder(base: base.superEncoder()) }
        mutating func superEncoder(forKey key: Key) -> any Encoder { BlankAsNilEncoder(base: base.superEncoder(forKey: key)) }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        var base: any UnkeyedEncodingContainer
        var codingPath: [any CodingKey] { base.codingPath }
        var count: Int { base.count }
        mutating func encodeNil() throws { try base.encodeNil() }
        mutating func encode(_ value: String) throws { value.isEmpty ? try base.encodeNil() : try base.encode(value) }
        mutating func encode<T: Encodable>(_ value: T) throws { try base.encode(BlankAsNil(value)) }
        mutating func encode(_ value: Bool) throws { try base.encode(value) }
        mutating func encode(_ value: Double) throws { try base.encode(value) }
        mutating func encode(_ value: Float) throws { try base.encode(value) }
        mutating func encode(_ value: Int) throws { try base.encode(value) }
        mutating func encode(_ value: Int8) throws { try base.encode(value) }
        mutating func encode(_ value: Int16) throws { try base.encode(value) }
        mutating func encode(_ value: Int32) throws { try base.encode(value) }
        mutating func encode(_ value: Int64) throws { try base.encode(value) }
        mutating func encode(_ value: UInt) throws { try base.encode(value) }
        mutating func encode(_ value: UInt8) throws { try base.encode(value) }
        mutating func encode(_ value: UInt16) throws { try base.encode(value) }
        mutating func encode(_ value: UInt32) throws { try base.encode(value) }
        mutating func encode(_ value: UInt64) throws { try base.encode(value) }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            KeyedEncodingContainer(Keyed<NestedKey>(base: base.nestedContainer(keyedBy: keyType)))
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { Unkeyed(base: base.nestedUnkeyedContainer()) }
        mutating func superEncoder() -> any Encoder { BlankAsNilEncoder(base: base.superEncoder()) }
    }

    struct Single: SingleValueEncodingContainer {
        var base: any SingleValueEncodingContainer
        var codingPath: [any CodingKey] { base.codingPath }
        mutating func encodeNil() throws { try base.encodeNil() }
        mutating func encode(_ value: String) throws { value.isEmpty ? try base.encodeNil() : try base.encode(value) }
        mutating func encode<T: Encodable>(_ value: T) throws { try base.encode(BlankAsNil(value)) }
        mutating func encode(_ value: Bool) throws { try base.encode(value) }
        mutating func encode(_ value: Double) throws { try base.encode(value) }
        mutating func encode(_ value: Float) throws { try base.encode(value) }
        mutating func encode(_ value: Int) throws { try base.encode(value) }
        mutating func encode(_ value: Int8) throws { try base.encode(value) }
        mutating func encode(_ value: Int16) throws { try base.encode(value) }
        mutating func encode(_ value: Int32) throws { try base.encode(value) }
        mutating func encode(_ value: Int64) throws { try base.encode(value) }
        mutating func encode(_ value: UInt) throws { try base.encode(value) }
        mutating func encode(_ value: UInt8) throws { try base.encode(value) }
        mutating func encode(_ value: UInt16) throws { try base.encode(value) }
        mutating func encode(_ value: UInt32) throws { try base.encode(value) }
        mutating func encode(_ value: UInt64) throws { try base.encode(value) }
    }
}
