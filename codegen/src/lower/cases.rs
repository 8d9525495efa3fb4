//! `[fixture.NAME]` and `[[case]]`: known fixtures and rules, targets that can
//! run them, and one generated case per constant.

use std::collections::{BTreeMap, HashMap};

use toml::Spanned;

use super::checker::{Checker, Item, check_ident};
use super::merge::{InFile, Merged};
use super::steps::build_steps;
use super::values::{Scope, Vars};
use crate::diag::FileId;
use crate::ir::board::FEATURES;
use crate::ir::{CASE_TARGETS, CONSTANTS_FIXTURE, Case, Constant, FORGET_STEP, Fixture, Outcome, Rule, SCRIPT_HELPERS, Step, VALUE_STEP, Value};
use crate::raw::{RawCase, RawFixture};

/// Fixtures by name, with the variables each binds.
pub(super) type Fixtures = BTreeMap<String, (Fixture, Vars)>;

pub(super) fn build_fixtures(ck: &mut Checker, items: &[(FileId, Spanned<String>, Spanned<RawFixture>)], scope: &Scope) -> Fixtures {
    let mut seen = HashMap::new();
    let mut out = BTreeMap::new();
    for (file, name, f) in items {
        check_ident(ck, *file, name, "fixture", false);
        if ck.duplicate(&mut seen, "fixture", *file, name) {
            continue;
        }
        let mut vars = Vars::new();
        let steps = build_steps(ck, *file, &f.get_ref().steps, scope, &mut vars);
        let fixture = Fixture { name: name.get_ref().clone(), doc: f.get_ref().doc.trim().to_string(), steps };
        out.insert(name.get_ref().clone(), (fixture, vars));
    }
    out
}

pub(super) fn build_cases(ck: &mut Checker, items: &[InFile<RawCase>], scope: &Scope, fixtures: &Fixtures, rules: &[Rule]) -> Vec<Case> {
    let mut seen = HashMap::new();
    let mut out = Vec::new();
    for (file, c) in items {
        let (file, c) = (*file, c.get_ref());
        if ck.duplicate(&mut seen, "case", file, &c.id) {
            continue;
        }
        // A difference naming a case whose definition fails is not checked against it.
        let mark = ck.mark();
        let Some((_, fixture_vars)) = fixtures.get(c.fixture.get_ref()) else {
            let names: Vec<&str> = fixtures.keys().map(String::as_str).collect();
            ck.err(
                file,
                c.fixture.span(),
                format!("case `{}` names unknown fixture `{}`", c.id.get_ref(), c.fixture.get_ref()),
                "unknown fixture",
                format!("one of {}", names.join(", ")),
            )
            .did_you_mean(c.fixture.get_ref(), names.iter().copied());
            ck.poison(Item::Case, c.id.get_ref());
            continue;
        };
        if let Some(r) = &c.rule
            && !rules.iter().any(|x| &x.id == r.get_ref())
            && !ck.is_poisoned(Item::Rule, r.get_ref())
        {
            ck.err(file, r.span(), format!("case `{}` names unknown rule `{}`", c.id.get_ref(), r.get_ref()), "unknown rule", "the id of a [[rule]]")
                .did_you_mean(r.get_ref(), rules.iter().map(|x| x.id.as_str()));
        }
        let mut vars = fixture_vars.clone();
        let steps = build_steps(ck, file, &c.steps, scope, &mut vars);
        let targets = c.targets.as_ref().map_or_else(|| CASE_TARGETS.map(String::from).to_vec(), |t| t.get_ref().clone());
        if let Some(t) = &c.targets {
            check_names(ck, file, t, "target in `targets`", &CASE_TARGETS);
        }
        let span = c.targets.as_ref().map_or(c.id.span(), |t| t.span());
        let python_only = steps.iter().any(|s| matches!(s.expect, Some(Outcome::Exception(_))));
        if python_only && targets.iter().any(|t| t != "micropython") {
            ck.err(
                file,
                span.clone(),
                format!("case `{}` expects a Python exception, which only the MicroPython glue raises", c.id.get_ref()),
                "not for rust or c",
                "targets = [\"micropython\"]",
            );
        }
        let fixture_steps = fixtures.get(c.fixture.get_ref()).map(|(f, _)| f.steps.as_slice()).unwrap_or_default();
        let all_steps = || fixture_steps.iter().chain(&steps);
        let hidden = all_steps().map(|s| s.call.as_str()).find(|call| {
            !SCRIPT_HELPERS.contains(call) && scope.functions.iter().chain(scope.methods).chain(scope.interface_methods).any(|f| f.name == *call && !f.python)
        });
        if all_steps().any(|s| s.call == FORGET_STEP) && targets.iter().any(|t| t != "micropython") {
            ck.err(
                file,
                span.clone(),
                format!("case `{}` forgets a socket, which only a garbage collector closes", c.id.get_ref()),
                "not for rust or c",
                "targets = [\"micropython\"]",
            );
        } else if let Some(call) = hidden.filter(|_| targets.iter().any(|t| t == "micropython")) {
            ck.err(
                file,
                span.clone(),
                format!("case `{}` calls `{call}`, which Python does not have", c.id.get_ref()),
                "not for micropython",
                "targets = [\"rust\", \"c\"]",
            );
        }
        let callables = || scope.functions.iter().chain(scope.methods).chain(scope.interface_methods);
        let undispatched = all_steps().find_map(|s| callables().find(|f| f.name == s.call).and_then(|f| Some((&f.name, f.not_dispatched()?))));
        if let Some((call, why)) = undispatched.filter(|_| targets.iter().any(|t| t != "micropython")) {
            ck.err(
                file,
                span.clone(),
                format!("case `{}` calls `{call}`, which the Rust and C runners do not ({why})", c.id.get_ref()),
                "not for rust or c",
                "targets = [\"micropython\"]",
            );
        }
        let without = c.without.as_ref().map_or_else(Vec::new, |w| w.get_ref().clone());
        if let Some(w) = &c.without
            && check_names(ck, file, w, "feature in `without`", &FEATURES)
            && targets != ["rust"]
        {
            ck.err(
                file,
                w.span(),
                format!("case `{}` needs a build without {}, which only the Rust API's feature runner has", c.id.get_ref(), without.join(", ")),
                "not for a full build",
                "targets = [\"rust\"]",
            );
        }
        ck.poison_if_failed(mark, Item::Case, c.id.get_ref());
        out.push(Case {
            id: c.id.get_ref().clone(),
            rule: c.rule.as_ref().map(|r| r.get_ref().clone()),
            fixture: c.fixture.get_ref().clone(),
            doc: c.doc.trim().to_string(),
            steps,
            targets,
            without,
        });
    }
    out
}

/// Reports a `list` (of `targets`, `without`, `against`) that is empty or
/// holds a name not in `known`, suggesting the closest for a misspelt one;
/// true when it is fine.
pub(super) fn check_names(ck: &mut Checker, file: FileId, list: &Spanned<Vec<String>>, what: &str, known: &[&str]) -> bool {
    let unknown = list.get_ref().iter().find(|x| !known.contains(&x.as_str()));
    if list.get_ref().is_empty() || unknown.is_some() {
        let msg = unknown.map_or_else(|| format!("empty list for {what}"), |u| format!("unknown {what}: `{u}`"));
        let d = ck.err(file, list.span(), msg, "unknown", format!("a non-empty list of {}", known.join(", ")));
        if let Some(u) = unknown {
            d.did_you_mean(u, known.iter().copied());
        }
        return false;
    }
    true
}

/// The id of the case generated for a constant: `constant-af-inet`.
pub(super) fn constant_case_id(name: &str) -> String {
    format!("constant-{}", name.to_ascii_lowercase().replace('_', "-"))
}

/// One generated case per constant, with the fixture `constants`: reading the
/// constant returns the spec's value (on Python only for Python-visible ones).
/// The fixture name and the `constant-` case ids are reserved.
pub(super) fn constant_cases(ck: &mut Checker, m: &Merged, constants: &[Constant]) -> (Fixture, Vec<Case>) {
    for (file, name, _) in &m.fixtures {
        if name.get_ref() == CONSTANTS_FIXTURE {
            ck.err(
                *file,
                name.span(),
                format!("fixture name `{CONSTANTS_FIXTURE}` is reserved"),
                "reserved",
                "another name: the constants' generated cases use it",
            );
        }
    }
    for (file, c) in &m.cases {
        let id = c.get_ref().id.get_ref();
        if id.starts_with("constant-") {
            ck.err(
                *file,
                c.get_ref().id.span(),
                format!("case id `{id}` uses the reserved prefix `constant-`"),
                "reserved",
                "another id: each constant gets a generated `constant-` case",
            );
        }
    }
    let fixture = Fixture {
        name: CONSTANTS_FIXTURE.to_string(),
        doc: "Nothing: one generated case per constant of the spec, reading its value.".to_string(),
        steps: Vec::new(),
    };
    let cases = constants
        .iter()
        .map(|c| {
            let targets: &[&str] = if c.python { &CASE_TARGETS } else { &["rust", "c"] };
            let value = Value::Const(c.name.clone(), c.value);
            Case {
                id: constant_case_id(&c.name),
                rule: None,
                fixture: CONSTANTS_FIXTURE.to_string(),
                doc: format!("{} is {}.", c.name, c.value),
                steps: vec![Step {
                    bind: None,
                    index: None,
                    on: None,
                    call: VALUE_STEP.to_string(),
                    args: vec![value],
                    kwargs: vec![],
                    expect: Some(Outcome::Returns(Value::Int(c.value))),
                    until: None,
                }],
                targets: targets.iter().map(|t| t.to_string()).collect(),
                without: Vec::new(),
            }
        })
        .collect();
    (fixture, cases)
}
