//! Behaviour as written: `[[rule]]`, `[fixture.NAME]`, `[[case]]` with their
//! steps, and `[[difference]]`.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::RawValue;

/// `[[rule]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    /// Identifier.
    pub id: Spanned<String>,
    /// The situation.
    pub when: String,
    /// Functions and methods it applies to.
    pub methods: Vec<Spanned<String>>,
    /// Outcome: OSError with this errno (or getaddrinfo code).
    pub errno: Option<Spanned<String>>,
    /// Outcome: this Python exception.
    pub exception: Option<Spanned<String>>,
    /// Outcome: this value is returned.
    pub returns: Option<Spanned<RawValue>>,
}

/// `[fixture.NAME]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFixture {
    /// What it sets up.
    pub doc: String,
    /// Steps.
    pub steps: Vec<Spanned<RawStep>>,
}

/// `[[case]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCase {
    /// Identifier.
    pub id: Spanned<String>,
    /// The rule it demonstrates, if any.
    pub rule: Option<Spanned<String>>,
    /// Fixture to run first.
    pub fixture: Spanned<String>,
    /// What it shows.
    pub doc: String,
    /// Steps after the fixture.
    pub steps: Vec<Spanned<RawStep>>,
    /// Targets it applies to (`rust`, `c`, `micropython`); all when absent.
    pub targets: Option<Spanned<Vec<String>>>,
    /// Runtime features the build must leave out (`ipv6`, `dns`, `dhcpv4`,
    /// `raw`): the case shows what a smaller build does instead.
    pub without: Option<Spanned<Vec<String>>>,
}

/// One step of a fixture or case.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    /// Bind the result to this variable.
    pub r#let: Option<Spanned<String>>,
    /// With `let`: bind this item of a tuple result.
    pub index: Option<Spanned<i64>>,
    /// Call a method on this variable (absent: a module function).
    pub on: Option<Spanned<String>>,
    /// Function or method name.
    pub call: Spanned<String>,
    /// Positional arguments.
    #[serde(default)]
    pub args: Vec<Spanned<RawValue>>,
    /// Keyword arguments (Python only: ipconfig()).
    #[serde(default)]
    pub kwargs: BTreeMap<String, Spanned<RawValue>>,
    /// Expect OSError with this errno.
    pub errno: Option<Spanned<String>>,
    /// Expect this exception.
    pub exception: Option<Spanned<String>>,
    /// Expect this return value.
    pub returns: Option<Spanned<RawValue>>,
    /// Repeat the call until it fails with this errno.
    pub until_errno: Option<Spanned<String>>,
    /// With `until_errno`: give up (fail) after this many calls.
    pub max: Option<Spanned<i64>>,
}

/// `[[difference]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDifference {
    /// Identifier.
    pub id: Spanned<String>,
    /// Listed on the reference page.
    #[serde(default)]
    pub page: bool,
    /// One line.
    pub summary: String,
    /// Explanation.
    pub detail: String,
    /// Interpreters it is a difference against: `cpython` (default), `stock` (stock MicroPython) and/or `modlwip` (MicroPython's lwIP socket module, the anchor firmware).
    pub against: Option<Spanned<Vec<String>>>,
    /// Behaviour cases that fail on those interpreters because of it.
    #[serde(default)]
    pub cases: Vec<Spanned<String>>,
    /// The cases' results vary from run to run there (e.g. the interpreter
    /// reads memory it does not own): a pass is then no stale claim.
    #[serde(default)]
    pub varies: bool,
}
