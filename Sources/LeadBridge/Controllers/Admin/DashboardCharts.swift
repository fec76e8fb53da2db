import Fluent
import Foundation

/// The dashboard's charts, drawn on the server as SVG (no chart script, so the CSP stays
/// strict): geometry is worked out here and the view only places shapes. Every bar is a link
/// to the list it summarises, named for screen readers with the numbers it shows.
struct BarChart: Encodable, Sendable {
    struct Segment: Encodable, Sendable {
        let y: Double
        let height: Double
        let series: String
    }
    struct Bar: Encodable, Sendable {
        let x: Double
        let width: Double
        let href: String
        let label: String
        let segments: [Segment]
    }
    struct AxisLabel: Encodable, Sendable {
        let x: Double
        let text: String
        let anchor: String
    }
    struct LegendItem: Encodable, Sendable {
        let series: String
        let label: String
        let count: String
        let href: String
    }

    let id: String
    let width: Double
    let height: Double
    let plotTop: Double
    let plotBottom: Double
    let plotLeft: Double
    let plotRight: Double
    let maxLabel: String
    let bars: [Bar]
    let axis: [AxisLabel]
    let legend: [LegendItem]

    static let width = 640.0
    static let height = 220.0
    static let top = 16.0
    static let bottom = 190.0
    static let left = 44.0
    static let right = 632.0

    /// One bar per day (grouped bars when a day has several `groups`), each stacked by `series`.
    /// `value(day, group, series)` gives the count; `href(day, group)` the list it opens.
    static func daily(id: String, days: [Int], groups: [String], series: [(key: String, label: String)],
                      value: (Int, String, String) -> Int, href: (Int, String) -> String,
                      label: (Int, String, [(String, Int)]) -> String, legend: [LegendItem]) -> BarChart {
        let totals = days.flatMap { day in groups.map { group in series.reduce(0) { $0 + value(day, group, $1.key) } } }
        let top = niceCeiling(max(totals.max() ?? 0, 1))
        let slot = (right - left) / Double(max(days.count, 1))
        let gap = max(1.5, slot * 0.18)
        let barWidth = (slot - gap) / Double(max(groups.count, 1))
        var bars: [Bar] = []
        for (index, day) in days.enumerated() {
            for (groupIndex, group) in groups.enumerated() {
                var y = bottom
                var segments: [Segment] = []
                var parts: [(String, Int)] = []
                for entry in series {
                    let count = value(day, group, entry.key)
                    parts.append((entry.label, count))
                    guard count > 0 else { continue }
                    let height = (bottom - Self.top) * Double(count) / Double(top)
                    y -= height
                    segments.append(Segment(y: rounded(y), height: rounded(height), series: entry.key))
                }
                bars.append(Bar(x: rounded(left + Double(index) * slot + gap / 2 + Double(groupIndex) * barWidth),
                                width: rounded(max(barWidth - (groups.count > 1 ? 1 : 0), 1)),
                                href: href(day, group), label: label(day, group, parts), segments: segments))
            }
        }
        var axis: [AxisLabel] = []
        if let first = days.first, let last = days.last {
            axis.append(AxisLabel(x: left, text: shortDay(first), anchor: "start"))
            let middle = days[days.count / 2]
            axis.append(AxisLabel(x: rounded(left + (Double(days.count / 2) + 0.5) * slot), text: shortDay(middle), anchor: "middle"))
            axis.append(AxisLabel(x: right, text: shortDay(last), anchor: "end"))
        }
        return BarChart(id: id, width: width, height: height, plotTop: Self.top, plotBottom: bottom, plotLeft: left,
                        plotRight: right, maxLabel: ListTotal.grouped(top), bars: bars, axis: axis, legend: legend)
    }

    /// 1, 2, 5 × 10ⁿ at or above `value`: an axis top a person reads at a glance.
    static func niceCeiling(_ value: Int) -> Int {
        var step = 1
        while true {
            for factor in [1, 2, 5] where factor * step >= value { return factor * step }
            step *= 10
        }
    }

    static func shortDay(_ day: Int) -> String {
        DailyCounts.date(ofDay: day).formatted(Date.FormatStyle(timeZone: TimeZone(identifier: "UTC")!).month(.abbreviated).day())
    }

    private static func rounded(_ value: Double) -> Double { (value * 10).rounded() / 10 }
}

/// One horizontal bar split into parts (sync health, the month's SuiteDash calls).
struct ShareBar: Encodable, Sendable {
    struct Part: Encodable, Sendable {
        let x: Double
        let width: Double
        let series: String
        let label: String
        let count: String
        let href: String
    }
    let id: String
    let parts: [Part]
    let isEmpty: Bool

    static let width = 640.0

    static func make(id: String, parts: [(series: String, label: String, count: Int, href: String)], whole: Int? = nil) -> ShareBar {
        let total = max(whole ?? parts.reduce(0) { $0 + $1.count }, 1)
        var x = 0.0
        var drawn: [Part] = []
        for part in parts {
            let width = width * Double(min(part.count, total)) / Double(total)
            drawn.append(Part(x: (x * 10).rounded() / 10, width: (width * 10).rounded() / 10, series: part.series,
                              label: part.label, count: ListTotal.grouped(part.count), href: part.href))
            x += width
        }
        return ShareBar(id: id, parts: drawn, isEmpty: parts.allSatisfy { $0.count == 0 })
    }
}
