import Foundation
import RelayCore

/// Writes a trend view as a table for people, CSV for spreadsheets or JSON for programs.
enum TrendWriter {
    static func write(_ view: TrendView, as format: Trends.Format) throws -> String {
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(view), as: UTF8.self) + "\n"
        case .csv: return csv(view)
        case .table: return table(view)
        }
    }

    /// The columns a view has: its groupings, then the count.
    static func columns(_ view: TrendView) -> [String] {
        let first = view.cells.first
        return [first?.period != nil ? "period" : nil, first?.region != nil ? "region" : nil, first?.type != nil ? "type" : nil].compactMap { $0 }
    }

    static func fields(_ cell: TrendView.Cell, _ columns: [String]) -> [String] {
        columns.map { column in
            switch column {
            case "period": cell.period ?? ""
            case "region": cell.region ?? ""
            default: cell.type ?? ""
            }
        }
    }

    /// `period,region,type,count,suppressed`: every cell; a suppressed count is empty.
    static func csv(_ view: TrendView) -> String {
        let columns = columns(view)
        var lines = [(columns + ["count", "suppressed"]).joined(separator: ",")]
        for cell in view.cells {
            lines.append((fields(cell, columns) + [cell.count.map(String.init) ?? "", cell.count == nil ? "true" : "false"]).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Aligned columns under a header saying what the report covers; rows with no cases left out.
    static func table(_ view: TrendView) -> String {
        var out = "Trends by \(view.by)"
        if let from = view.from, let to = view.to { out += ", \(from) to \(to)" }
        out += view.through.map { ", counted through \($0)" } ?? ", nothing reported yet (a quarter is reported once it is over)"
        out += ". Threshold \(view.threshold) (policy \(view.policy)).\n"
        out += "Counts of 1 to \(view.threshold - 1), and cells that would give one away, are shown as `suppressed`. Rows with no cases are left out.\n\n"
        let columns = columns(view)
        let rows = view.cells.filter { $0.count != 0 }.map { fields($0, columns) + [$0.count.map(String.init) ?? "suppressed"] }
        let header = columns + ["cases"]
        let widths = header.indices.map { index in ([header[index]] + rows.map { $0[index] }).map(\.count).max() ?? 0 }
        func line(_ fields: [String]) -> String {
            fields.enumerated().map { index, field in
                index == fields.count - 1 ? String(repeating: " ", count: widths[index] - field.count) + field
                    : field + String(repeating: " ", count: widths[index] - field.count)
            }.joined(separator: "  ")
        }
        out += line(header) + "\n"
        for row in rows { out += line(row) + "\n" }
        if rows.isEmpty { out += "(no cases in this range)\n" }
        return out
    }
}
