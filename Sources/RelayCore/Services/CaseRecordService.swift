/// The advocate's case record of a contact: notes, referrals, safety flags, typology tags; sealed, audited.
public struct CaseRecordService: RelayService {
    let context: RelayContext
}
