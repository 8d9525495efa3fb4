//! `[[difference]]`: known interpreters and cases.

use std::collections::HashMap;

use super::cases::check_names;
use super::checker::{Checker, Item};
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
        if let Some(a) = &d.against {
            check_names(ck, *file, a, "interpreter in `against`", &OTHER_INTERPRETERS);
        }
        for c in &d.cases {
            if !cases.iter().any(|k| &k.id == c.get_ref()) && !ck.is_poisoned(Item::Case, c.get_ref()) {
                ck.err(*file, c.span(), format!("unknown case `{}`", c.get_ref()), "no such case", "the id of a [[case]]")
                    .did_you_mean(c.get_ref(), cases.iter().map(|k| k.id.as_str()));
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
