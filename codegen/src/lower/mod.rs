//! Raw spec (`crate::raw`) → validated IR (`crate::ir`), one file per spec
//! section. Every problem becomes a [`Diagnostic`] pointing at the offending
//! text; lowering goes on after an error so that one run reports as much as
//! it can, but once per mistake: an item whose own definition failed is
//! poisoned (`Checker::poison`), and what refers to it is not checked against
//! it. A misspelt name from a closed set gets a "did you mean" (`diag::closest`).

mod boards;
mod callables;
mod cases;
mod checker;
mod constants;
mod differences;
mod merge;
mod module;
mod native_docs;
mod port;
mod ram;
mod rules;
mod steps;
mod structs;
mod values;

use std::collections::HashMap;

use checker::{Checker, Item};
use merge::Merged;
use values::Scope;

use crate::diag::{Diagnostic, SpecFiles};
use crate::ir::*;
use crate::types::ReturnKind;

/// Parses and validates every file of `files`.
pub fn lower(files: &SpecFiles) -> Result<Spec, Vec<Diagnostic>> {
    let mut ck = Checker::new(files);
    let merged = merge::parse(&mut ck, files);
    // Sections are lowered only when every file parsed.
    let spec = if ck.is_clean() { build(&mut ck, merged) } else { None };
    ck.finish()?;
    spec.ok_or_else(Vec::new)
}

/// Lowers every section, in the order their cross-references need.
fn build(ck: &mut Checker, m: Merged) -> Option<Spec> {
    let module = module::build_module(ck, &m.module, m.functions.first().map_or(0, |f| f.0))?;
    let constants = constants::build_constants(ck, &m.constants);
    let consts: HashMap<String, i64> = constants.iter().map(|c| (c.name.clone(), c.value)).collect();
    let errnos = constants::build_codes(ck, &m.errnos, Namespace::Errno);
    let gai_errors = constants::build_codes(ck, &m.gai_errors, Namespace::Gai);
    for (name, table) in constants::REQUIRED_CODES {
        if !errnos.iter().chain(&gai_errors).any(|e| e.name == name) {
            let file = m.errnos.first().map(|e| e.0).unwrap_or(0);
            ck.err(file, 0..0, format!("the spec has no {table} `{name}`"), "missing", format!("[[{table}]] {name}: the generated C ABI returns it"));
        }
    }
    let services = constants::build_services(ck, &m.services);
    let codes: HashMap<String, ErrorCode> = errnos.iter().chain(&gai_errors).map(|e| (e.name.clone(), e.clone())).collect();
    let functions = callables::build_callables(ck, &m.functions, Owner::Module, &consts);
    let methods = callables::build_callables(ck, &m.methods, Owner::Socket, &consts);
    let interface = module::build_interface(ck, &m.interface);
    let interface_methods = callables::build_callables(ck, &m.interface_methods, Owner::Interface, &consts);
    for (raw, lowered) in [(&m.functions, &functions), (&m.methods, &methods), (&m.interface_methods, &interface_methods)] {
        native_docs::check(ck, raw, lowered, &codes);
    }
    module::check_interface_methods(ck, &m.interface_methods, interface.is_some(), &functions, &methods);
    let constructors = functions.iter().filter(|f| f.returns == ReturnKind::Socket && f.python).count();
    // A function whose definition failed may be the constructor: its error says enough.
    let poisoned_function = m.functions.iter().any(|(_, f)| ck.is_poisoned(Item::Callable, f.get_ref().name.get_ref()));
    if constructors != 1 && !poisoned_function {
        let (file, span) = m.functions.first().map(|(f, c)| (*f, c.get_ref().returns.span())).unwrap_or((0, 0..0));
        ck.err(
            file,
            span,
            format!("{constructors} Python functions return `socket`"),
            "constructor",
            "exactly one module function returning socket: it becomes the socket type's constructor",
        );
    }
    // As written, so that a method whose definition failed still counts.
    if !m.methods.iter().any(|(_, x)| x.get_ref().closes) {
        ck.err(
            m.methods.first().map(|x| x.0).unwrap_or(0),
            0..0,
            "no method has `closes = true`",
            "missing",
            "one method (close) with closes = true: the finaliser calls it",
        );
    }
    let callables: HashMap<String, Callable> = functions.iter().chain(&methods).chain(&interface_methods).map(|c| (c.name.clone(), c.clone())).collect();
    let scope = Scope { consts: &consts, codes: &codes, functions: &functions, methods: &methods, interface_methods: &interface_methods };
    let rules = rules::build_rules(ck, &m.rules, &scope, &callables);
    let mut fixtures = cases::build_fixtures(ck, &m.fixtures, &scope);
    let mut cases = cases::build_cases(ck, &m.cases, &scope, &fixtures, &rules);
    let (constants_fixture, constant_cases) = cases::constant_cases(ck, &m, &constants);
    fixtures.insert(CONSTANTS_FIXTURE.to_string(), (constants_fixture, HashMap::new()));
    cases.extend(constant_cases);
    let differences = differences::build_differences(ck, &m.differences, &cases);
    let structs = structs::build_structs(ck, &m.structs);
    let limits = module::build_limits(ck, &m.limits)?;
    let ram = ram::build_ram(ck, &m.ram);
    let boards = boards::build_boards(ck, &m.boards, ram.as_ref());
    let ram = ram?;
    let port = port::build_port(ck, &m.port);
    Some(Spec {
        module,
        functions,
        methods,
        interface,
        interface_methods,
        constants,
        errnos,
        gai_errors,
        services,
        rules,
        fixtures: fixtures.into_values().map(|(f, _)| f).collect(),
        cases,
        differences,
        structs,
        limits,
        boards,
        ram,
        port,
    })
}
