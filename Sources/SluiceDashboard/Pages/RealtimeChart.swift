import SluiceCore
import SluiceRedis

/// The events-per-minute bar chart of the real-time page, as inline SVG: one bar per
/// minute, oldest on the left, each with its minute and count as a tooltip. The page's
/// script moves the same bars (`data-minute` order) when new figures arrive.
enum RealtimeChart {
    static let width = 600
    static let height = 160
    /// Room under the bars for the axis labels.
    static let axisHeight = 20
    /// Room over the tallest bar for the peak label.
    static let topPadding = 18

    /// The chart for `minutes`, scaled to the busiest minute.
    static func svg(_ minutes: [LiveSnapshot.Minute]) -> String {
        let peak = max(minutes.map(\.events).max() ?? 0, 1)
        let slot = Double(width) / Double(max(minutes.count, 1))
        let base = Double(height - axisHeight)
        let plot = base - Double(topPadding)
        var bars = ""
        for (index, minute) in minutes.enumerated() {
            let barHeight = plot * Double(minute.events) / Double(peak)
            let label = "\(Timestamp.iso8601(milliseconds: minute.start).dropFirst(11).prefix(5)) UTC: \(minute.events) events"
            bars += """
                <rect class="rt-bar" x="\(format(Double(index) * slot + 1))" y="\(format(base - barHeight))" width="\(format(slot - 2))" \
                height="\(format(barHeight))" fill="#4a7bd0"><title>\(label)</title></rect>
                """
        }
        return """
            <svg id="rt-chart" class="chart" role="img" aria-label="Events per minute over the last \(minutes.count) minutes" \
            viewBox="0 0 \(width) \(height)" width="\(width)" height="\(height)" data-base="\(format(base))" data-plot="\(format(plot))" data-slot="\(format(slot))">
            \(bars)<line class="axis" x1="0" y1="\(format(base))" x2="\(width)" y2="\(format(base))"/>
            <text class="tick" x="2" y="\(height - 4)">\(minutes.count) min ago</text>
            <text class="tick" x="\(width - 2)" y="\(height - 4)" text-anchor="end">now</text>
            <text id="rt-peak" class="tick" x="\(width - 2)" y="12" text-anchor="end">peak \(peak)/min</text>
            </svg>
            """
    }

    /// A coordinate with at most one decimal.
    private static func format(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        return tenths.truncatingRemainder(dividingBy: 10) == 0 ? String(Int(tenths / 10)) : String(tenths / 10)
    }
}
