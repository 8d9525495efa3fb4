//! The spec's behaviour cases (`generated/conformance/cases.rs`) on the Rust
//! API, loopback board, through the shared runner (`runtime/tests/runner/`).
//! Cases whose `targets` leave out the Rust API (those that expect a Python
//! exception from the glue's argument checks) and those for a build without
//! some features (the feature tests run them) are listed, loudly.

mod common;
// Public, as a library's items are: each user of the shared runner uses a part of it.
#[path = "../../../runtime/tests/runner/mod.rs"]
pub mod runner;

use runner::{Runner, data};

#[test]
fn every_behaviour_case_passes_on_the_rust_api() {
    let mut failures = Vec::new();
    let mut passed = 0;
    for id in data::NOT_HERE {
        eprintln!("NOT APPLICABLE to the Rust API (the case's targets): {id}");
    }
    for (without, case) in data::WITHOUT {
        eprintln!("NOT APPLICABLE to a full build (runtime/tests/features.rs runs it without {}): {}", without.join(", "), case.id);
    }
    for case in data::CASES {
        let mut runner = Runner::new(common::stack());
        match runner.run(case) {
            Ok(()) => passed += 1,
            Err(e) => failures.push(format!("{}: {e}", case.id)),
        }
    }
    eprintln!("Rust API: {passed} passed, {} failed ({} not applicable)", failures.len(), data::NOT_HERE.len());
    assert!(failures.is_empty(), "failing cases:\n  {}", failures.join("\n  "));
    assert!(passed >= data::CASES.len() / 2, "most cases apply to the Rust API");
}
