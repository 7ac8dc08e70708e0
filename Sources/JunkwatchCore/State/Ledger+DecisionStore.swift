/// The ledger is the store of the service and of replays.
extension Ledger: DecisionStore {}
