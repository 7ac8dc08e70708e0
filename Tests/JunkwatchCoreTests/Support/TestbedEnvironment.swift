import TestSupport

/// The core tests' name for TestSupport's ``Testbed``.
typealias TestbedEnvironment = Testbed
