//! `[[difference]]`: known interpreters and cases.

use std::collections::HashMap;

use super::checker::Checker;
use super::merge::InFile;
use crate::ir::{Case, Difference};
use crate::raw::RawDifference;

/// Interpreters a difference may be against.
pub(super) const OTHER_INTERPRETERS: [&str; 3] = ["cpython", "stock", "modlwip"];

pub(super) fn build_differences(ck: &mut Checker, items: &[InFile<RawDifference>], cases: &[Case]) -> Vec<Difference> {
    let mut seen = HashMap::new();
    let mut out = Vec::new();
    for (file, d) in items {
        let d = d.get_ref();
        if ck.duplicate(&mut seen, "difference", *file, &d.id) {
            continue;
        }
        let against = d.against.as_ref().map_or_else(|| vec!["cpython".to_string()], |a| a.get_ref().clone());
        if let Some(a) = &d.against
            && (a.get_ref().is_empty() || a.get_ref().iter().any(|x| !OTHER_INTERPRETERS.contains(&x.as_str())))
        {
            ck.err(*file, a.span(), "unknown interpreter in `against`", "unknown", format!("a non-empty list of {}", OTHER_INTERPRETERS.join(", ")));
        }
        for c in &d.cases {
            if !cases.iter().any(|k| &k.id == c.get_ref()) {
                ck.err(*file, c.span(), format!("unknown case `{}`", c.get_ref()), "no such case", "the id of a [[case]]");
            }
        }
        out.push(Difference {
            id: d.id.get_ref().clone(),
            page: d.page,
            summary: d.summary.trim().to_string(),
            detail: d.detail.trim().to_string(),
            against,
            cases: d.cases.iter().map(|c| c.get_ref().clone()).collect(),
            varies: d.varies,
        });
    }
    out
}
