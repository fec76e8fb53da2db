import Leaf
import LeafKit
import RingCentralKit
import Vapor

/// Leaf, with one rule changed: an empty string in a page's context is *absent*.
///
/// Leaf's `#if(x)` is true for any value that is not nil or `false`, including `""` and `0`.
/// Pages are full of optional text (a last test, a CRM id, a sync error) held as empty
/// strings, so `#if(externalID):…#else:not synced yet#endif` printed nothing instead of
/// "not synced yet", and a never-run test showed "Failed". Turning empty strings into nil
/// here fixes every such condition at once, and `#(x)` still prints nothing for them.
struct BlankAwareViews: ViewRenderer {
    let leaf: LeafRenderer

    func `for`(_ request: Request) -> any ViewRenderer {
        BlankAwareViews(leaf: request.leaf)
    }

    func render<E: Encodable>(_ name: String, _ context: E) -> EventLoopFuture<View> {
        let data: [String: LeafData]
        do {
            data = try Self.leafData(context)
        } catch {
            return leaf.eventLoop.makeFailedFuture(error)
        }
        return leaf.render(path: name, context: data).map { View(data: $0) }
    }

    /// The context as Leaf sees it, through its JSON form (the contexts are plain values).
    static func leafData(_ context: some Encodable) throws -> [String: LeafData] {
        let json = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(context))
        return convert(json).dictionary ?? [:]
    }

    static func convert(_ value: JSONValue) -> LeafData {
        switch value {
        case .null: return .trueNil
        case .bool(let bool): return .bool(bool)
        case .number(let number):
            // Counts and ids are whole numbers: printed as 42, not 42.0.
            if number.rounded() == number, abs(number) < 9e15 { return .int(Int(number)) }
            return .double(number)
        case .string(let string): return string.isEmpty ? .trueNil : .string(string)
        case .array(let items): return .array(items.map(convert))
        case .object(let object): return .dictionary(object.mapValues(convert))
        }
    }
}

extension Application.Views.Provider {
    static var blankAwareLeaf: Self {
        .init { app in
            app.views.use { app in BlankAwareViews(leaf: app.leaf.renderer) }
        }
    }
}
