/// Staff accounts and their sessions: creation and reset from the command line, enrolment, login, bearer sessions, devices.
public struct StaffService: RelayService {
    let context: RelayContext
}
