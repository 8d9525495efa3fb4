//! `[[rule]]`: one outcome each, on known callables, in the right error namespace.

use std::collections::HashMap;

use super::checker::{Checker, Item};
use super::merge::InFile;
use super::values::{Scope, resolve_outcome};
use crate::ir::{Callable, Namespace, Outcome, Rule};
use crate::raw::RawRule;
use crate::types::ReturnKind;

pub(super) fn build_rules(ck: &mut Checker, items: &[InFile<RawRule>], scope: &Scope, callables: &HashMap<String, Callable>) -> Vec<Rule> {
    let mut seen = HashMap::new();
    let mut out = Vec::new();
    for (file, r) in items {
        let (file, span, r) = (*file, r.span(), r.get_ref());
        if ck.duplicate(&mut seen, "rule", file, &r.id) {
            continue;
        }
        // A case naming a rule whose definition fails is not checked against it.
        let mark = ck.mark();
        let outcome = resolve_outcome(ck, file, span, (&r.errno, &r.exception, &r.returns), scope, None, true);
        for m in &r.methods {
            if ck.is_poisoned(Item::Callable, m.get_ref()) {
                continue;
            }
            let Some(c) = callables.get(m.get_ref()) else {
                ck.err(
                    file,
                    m.span(),
                    format!("rule `{}` names unknown method `{}`", r.id.get_ref(), m.get_ref()),
                    "unknown",
                    "the name of a [[function]], [[method]] or [[interface_method]]",
                )
                .did_you_mean(m.get_ref(), callables.keys().map(String::as_str));
                continue;
            };
            if let Some(Some(Outcome::Error(code))) = &outcome {
                let gai = c.returns == ReturnKind::Addrinfo;
                if gai != (code.namespace == Namespace::Gai) {
                    let (what, hint) = if gai {
                        ("the errno", "a getaddrinfo code (EAI_*)")
                    } else {
                        ("the getaddrinfo code", "a positive errno (getaddrinfo codes are for getaddrinfo only)")
                    };
                    ck.err(file, m.span(), format!("`{}` cannot raise {what} `{}`", m.get_ref(), code.name), "wrong namespace", hint);
                }
            }
        }
        ck.poison_if_failed(mark, Item::Rule, r.id.get_ref());
        if let Some(Some(outcome)) = outcome {
            out.push(Rule {
                id: r.id.get_ref().clone(),
                when: r.when.trim().to_string(),
                methods: r.methods.iter().map(|m| m.get_ref().clone()).collect(),
                outcome,
            });
        }
    }
    out
}
