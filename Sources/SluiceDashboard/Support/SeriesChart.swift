import SluiceReports

/// A line chart as inline SVG (no script, no library): one line per series over shared
/// x labels, scaled to the largest value, with each point's figures as its tooltip.
struct SeriesChart: Sendable {
    /// One line: its name, colour and a value per label.
    struct Line: Sendable {
        let name: String
        let colour: String
        let values: [Int64]
    }

    let labels: [String]
    let lines: [Line]

    private static let width = 800.0, height = 220.0, left = 48.0, right = 12.0, top = 24.0, bottom = 28.0

    /// The `<svg>` markup, with a legend; "No data" text when there are no labels.
    var svg: String {
        let plotWidth = Self.width - Self.left - Self.right
        let plotHeight = Self.height - Self.top - Self.bottom
        let maximum = max(1, lines.flatMap(\.values).max() ?? 0)
        func x(_ index: Int) -> Double { Self.left + (labels.count > 1 ? plotWidth * Double(index) / Double(labels.count - 1) : plotWidth / 2) }
        func y(_ value: Int64) -> Double { Self.top + plotHeight * (1 - Double(value) / Double(maximum)) }
        var parts = [
            #"<svg class="chart" role="img" aria-label="\#(HTMLPage.escaped(lines.map(\.name).joined(separator: " and "))) over time" viewBox="0 0 \#(Int(Self.width)) \#(Int(Self.height))" xmlns="http://www.w3.org/2000/svg">"#,
            #"<line x1="\#(Self.left)" y1="\#(Self.top + plotHeight)" x2="\#(Self.width - Self.right)" y2="\#(Self.top + plotHeight)" class="axis"/>"#,
            #"<text x="\#(Self.left - 6)" y="\#(Self.top + 4)" text-anchor="end" class="tick">\#(ReportFormat.count(maximum))</text>"#,
            #"<text x="\#(Self.left - 6)" y="\#(Self.top + plotHeight)" text-anchor="end" class="tick">0</text>"#,
        ]
        guard !labels.isEmpty else { return parts.joined() + #"<text x="400" y="110" text-anchor="middle" class="tick">No data</text></svg>"# }
        parts.append(#"<text x="\#(x(0))" y="\#(Self.height - 8)" class="tick">\#(HTMLPage.escaped(labels[0]))</text>"#)
        if labels.count > 1 {
            parts.append(
                #"<text x="\#(x(labels.count - 1))" y="\#(Self.height - 8)" text-anchor="end" class="tick">\#(HTMLPage.escaped(labels[labels.count - 1]))</text>"#
            )
        }
        for (index, line) in lines.enumerated() {
            let points = line.values.enumerated().map { "\(x($0.offset)),\(y($0.element))" }.joined(separator: " ")
            parts.append(#"<polyline fill="none" stroke="\#(line.colour)" stroke-width="2" points="\#(points)"/>"#)
            for (point, value) in line.values.enumerated() {
                parts.append(
                    #"<circle cx="\#(x(point))" cy="\#(y(value))" r="3" fill="\#(line.colour)"><title>\#(HTMLPage.escaped(labels[point])): \#(ReportFormat.count(value)) \#(HTMLPage.escaped(line.name.lowercased()))</title></circle>"#
                )
            }
            let legendX = Self.left + 10 + Double(index) * 140
            parts.append(
                #"<rect x="\#(legendX)" y="6" width="10" height="10" fill="\#(line.colour)"/><text x="\#(legendX + 14)" y="15" class="legend">\#(HTMLPage.escaped(line.name))</text>"#
            )
        }
        return parts.joined() + "</svg>"
    }
}
