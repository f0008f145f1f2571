import Foundation
import FuzzSupport
import RelayCore
import RelayWire

// Input: the `POST /report` body. The parser either refuses it or returns a report whose every
// field is within its bounds, and the phone number of a text way back normalises to itself.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReportJSON(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    var input = FuzzInput(start, count)
    let body = input.rest()
    guard body.count <= ReportInput.maximumBytes, let report = try? ReportInput.parse(body) else { return 0 }
    let what = report.what.trimmingCharacters(in: .whitespacesAndNewlines)
    Property.require(!what.isEmpty && what.count <= ReportInput.maximumWhatCharacters, "an accepted report's text is out of bounds")
    for value in [report.city, report.region, report.when] {
        Property.require((value?.count ?? 0) <= ReportInput.maximumShortCharacters, "an accepted report's short field is out of bounds")
    }
    Property.require(ReportInput.situations.contains(report.situation), "an accepted report has an unknown situation")
    Property.require(ReportInput.waysBack.contains(report.way_back), "an accepted report has an unknown way back")
    Property.require(TipSituation(rawValue: report.situation) != nil, "a situation the form accepts has no typology mapping")
    if report.way_back == "text", let phone = report.phone, let address = try? ContactAddress.phone(phone) {
        Property.require((try? ContactAddress.phone(address.normalised))?.normalised == address.normalised, "a normalised number does not normalise to itself")
    } else if report.way_back != "text" {
        Property.require(report.phone == nil || report.phone == "", "a number was accepted without a text way back")
    }
    return 0
}
