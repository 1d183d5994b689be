import SluiceRollups

/// The configured funnels over a range, as cohorts: the visitors who reached each
/// funnel's first step in the range, and how far they got (counted in the buckets of
/// their first step, so a step never has more visitors than the one before it).
/// People only: bots keep no funnel progress.
public struct FunnelReport: Sendable {
    /// One step of a funnel.
    public struct Step: Sendable, Equatable {
        /// The step as configured: `/pricing`, `auth/signup`.
        public let label: String
        /// Visitors of the cohort who reached it.
        public let visitors: Int64
        /// Visitors of the step before, nil for the first step.
        public let previous: Int64?
        /// Visitors who reached the first step.
        public let first: Int64

        /// Of the previous step's visitors, the share who reached this one (nil for the first step, or without visitors).
        public var fromPrevious: Double? { previous.flatMap { ReportMath.rate(visitors, of: $0) } }
        /// Of the first step's visitors, the share who reached this one.
        public var fromFirst: Double? { ReportMath.rate(visitors, of: first) }
        /// Visitors of the previous step who did not reach this one (0 for the first step).
        public var dropOff: Int64 { previous.map { $0 - visitors } ?? 0 }
    }

    /// One funnel's steps.
    public struct Summary: Sendable, Equatable {
        public let name: String
        public let steps: [Step]

        /// Visitors who entered (reached the first step) in the range.
        public var entered: Int64 { steps.first?.visitors ?? 0 }
        /// Of those, the visitors who reached the last step.
        public var completed: Int64 { steps.last?.visitors ?? 0 }
        /// completed / entered, nil without visitors.
        public var conversion: Double? { ReportMath.rate(completed, of: entered) }
    }

    public let range: ReportRange
    public let audience: ReportAudience
    /// Every configured funnel, in configured order.
    public let funnels: [Summary]

    /// The dimensions read.
    public static let dimensions: [RollupDimension] = [.funnel]

    /// The report of `funnels` from `read`'s totals.
    public init(_ read: RollupRead, funnels: [Funnel], audience: ReportAudience) {
        range = read.range
        self.audience = audience
        let rows = read.totals.rows(.funnel, audience)
        self.funnels = funnels.map { funnel in
            let counts = funnel.steps.indices.map { rows[funnel.rowValue(step: $0 + 1)]?[RollupMetric.count] ?? 0 }
            return Summary(
                name: funnel.name,
                steps: funnel.steps.enumerated().map { index, step in
                    Step(label: step.label, visitors: counts[index], previous: index == 0 ? nil : counts[index - 1], first: counts[0])
                })
        }
    }

    /// The funnel named `name`.
    public func funnel(named name: String) -> Summary? { funnels.first { $0.name == name } }

    /// The steps of `summary` (none without a funnel).
    public static func stepTable(_ summary: Summary?) -> ReportTable {
        ReportTable(
            title: "Funnel steps", columns: ["Step", "Reached", "Visitors", "From previous step", "From first step", "Drop-off"],
            rows: (summary?.steps ?? []).enumerated().map { index, step in
                [.count(Int64(index + 1)), .text(step.label), .count(step.visitors), .rate(step.fromPrevious), .rate(step.fromFirst), .count(step.dropOff)]
            })
    }

    /// Every funnel in one line each: visitors who entered, who completed, and the conversion.
    public var summaryTable: ReportTable {
        ReportTable(
            title: "Funnels", columns: ["Funnel", "Steps", "Entered", "Completed", "Conversion"],
            rows: funnels.map { summary in
                [
                    .text(summary.name), .text(summary.steps.map(\.label).joined(separator: " > ")), .count(summary.entered), .count(summary.completed),
                    .rate(summary.conversion),
                ]
            })
    }
}
