//! The behaviour-case runner shared by the Rust API's conformance tests
//! (`targets/host/tests/conformance.rs`: every case on the loopback board) and
//! the feature tests (`runtime/tests/features.rs`: the `without` cases on a
//! build that leaves features out). The cases, their data types and the
//! dispatch of a step's call to its `SocketApi` method are generated
//! (`generated/conformance/cases.rs`); this runner gives the dispatch its
//! values: each argument type made from them, and each kind of result made
//! one, as the MicroPython glue makes them. It keeps the pseudo-steps and
//! the comparison of results.

use usocket_runtime::constants::AF_INET;
use usocket_runtime::{Addr, Errno, Fd, GaiError, Ifconfig, IfconfigSet, SocketApi};

/// The generated cases (`CASES`, `NOT_HERE`, `WITHOUT`), their types and the
/// dispatch (`call`, over a `Marshal`).
pub mod data {
    include!("../../../generated/conformance/cases.rs");
}

use data::{Case, Expect, Marshal, Step, V};

/// A value at run time.
#[derive(Debug, Clone, PartialEq)]
enum R {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    Sock(Fd),
    Tuple(Vec<R>),
}

/// Why a step failed: an OSError number, or a message.
#[derive(Debug)]
enum Raised {
    Os(i64),
    Other(String),
}

impl std::fmt::Display for Raised {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Raised::Os(e) => write!(f, "OSError({e})"),
            Raised::Other(why) => f.write_str(why),
        }
    }
}

impl From<Errno> for Raised {
    fn from(e: Errno) -> Raised {
        Raised::Os(i64::from(e.value()))
    }
}

impl From<GaiError> for Raised {
    fn from(e: GaiError) -> Raised {
        Raised::Os(i64::from(e.value()))
    }
}

/// A step's outcome, for messages.
fn show(r: &Result<R, Raised>) -> String {
    match r {
        Ok(v) => format!("{v:?}"),
        Err(e) => e.to_string(),
    }
}

/// Runs cases on one stack (a fresh one per case).
pub struct Runner<S> {
    stack: S,
    vars: Vec<(&'static str, R)>,
    /// Sockets Python has closed (its second close() is a no-op).
    closed: Vec<Fd>,
}

impl<S: SocketApi> Runner<S> {
    /// A runner on `stack`.
    pub fn new(stack: S) -> Self {
        Runner { stack, vars: Vec::new(), closed: Vec::new() }
    }

    fn var(&self, name: &str) -> Option<&R> {
        self.vars.iter().rev().find(|(n, _)| *n == name).map(|(_, r)| r)
    }

    fn value(&self, v: &V) -> R {
        match v {
            V::None => R::None,
            V::Bool(b) => R::Bool(*b),
            V::Int(i) => R::Int(*i),
            V::Float(f) => R::Float(*f),
            V::Str(s) => R::Str(s.to_string()),
            V::Bytes(b) => R::Bytes(b.to_vec()),
            // The generated data holds the generated constant, not the spec's number.
            V::Const(_, v) => R::Int(*v),
            V::Var(name) => self.var(name).cloned().unwrap_or(R::None),
            V::Tuple(items) => R::Tuple(items.iter().map(|i| self.value(i)).collect()),
        }
    }

    /// Calls one step: a pseudo-step, or the API through the generated dispatch.
    fn call(&mut self, step: &'static Step) -> Result<R, Raised> {
        let fd = match step.on {
            Some(name) => match self.var(name) {
                Some(R::Sock(fd)) => Some(*fd),
                other => return Err(Raised::Other(format!("`{name}` is not a socket: {other:?}"))),
            },
            None => None,
        };
        let args: Vec<R> = step.args.iter().map(|a| self.value(a)).collect();
        match (step.call, args.as_slice()) {
            ("value", [v]) => return Ok(v.clone()),
            ("buffer", [R::Int(n)]) => return Ok(R::Bytes(vec![0; usize::try_from(*n).unwrap_or(0)])),
            _ => {}
        }
        let mut call = Call { runner: self, step, args };
        match data::call(&mut call, step.call, fd) {
            Some(result) => result,
            None => Err(Raised::Other(format!("the runner has no call `{}` (on a socket: {})", step.call, fd.is_some()))),
        }
    }

    /// Runs a case: Ok, or what went wrong.
    pub fn run(&mut self, case: &Case) -> Result<(), String> {
        for (n, step) in case.all_steps().enumerate() {
            let at = format!("step {} ({})", n + 1, step.call);
            if let Some((name, value, most)) = step.until {
                let mut hit = false;
                for _ in 0..most {
                    match self.call(step) {
                        Err(Raised::Os(e)) if e == value => {
                            hit = true;
                            break;
                        }
                        Err(e) => return Err(format!("{at}: expected {name}, got {e}")),
                        Ok(_) => {}
                    }
                }
                if !hit {
                    return Err(format!("{at}: no {name} in {most} calls"));
                }
                continue;
            }
            let result = self.call(step);
            match (&step.expect, result) {
                (Expect::Ok, Ok(r)) => {
                    if let Some(var) = step.bind {
                        let r = match (step.index, r) {
                            (Some(i), R::Tuple(items)) => items.get(i).cloned().unwrap_or(R::None),
                            (_, r) => r,
                        };
                        self.vars.push((var, r));
                    }
                }
                (Expect::Error(_, want), Err(Raised::Os(got))) if *want == got => {}
                (Expect::Returns(v), Ok(got)) if self.value(v) == got => {}
                (Expect::Returns(v), Ok(got)) => return Err(format!("{at}: returned {got:?}, expected {:?}", self.value(v))),
                (Expect::Error(name, _), r) => return Err(format!("{at}: expected {name}, got {}", show(&r))),
                (_, r) => return Err(format!("{at}: {}", show(&r))),
            }
        }
        Ok(())
    }
}

/// One step's call through the dispatch: the runner, and the step's
/// arguments with their variables looked up.
struct Call<'a, S> {
    runner: &'a mut Runner<S>,
    step: &'static Step,
    args: Vec<R>,
}

impl<S: SocketApi> Call<'_, S> {
    /// The argument at `at`, else the default; an error when there is neither.
    fn arg(&self, at: Option<usize>, default: Option<&'static V>) -> Result<R, Raised> {
        match (at.and_then(|i| self.args.get(i)), default) {
            (Some(r), _) => Ok(r.clone()),
            (None, Some(d)) => Ok(self.runner.value(d)),
            (None, None) => Err(Raised::Other(format!("`{}` lacks an argument", self.step.call))),
        }
    }

    /// An address's IP as text.
    fn ip_text(&mut self, a: &Addr) -> String {
        let mut text = [0u8; data::TEXT_MAX];
        let n = self.runner.stack.addr_format(a, &mut text).unwrap_or(0);
        String::from_utf8_lossy(&text[..n]).into_owned()
    }
}

fn wrong(what: &str, r: &R) -> Raised {
    Raised::Other(format!("expected {what}, got {r:?}"))
}

impl<S: SocketApi> Marshal for Call<'_, S> {
    type Api = S;
    type Value = R;
    type Raised = Raised;

    fn api(&mut self) -> &mut S {
        &mut self.runner.stack
    }

    fn count(&self) -> usize {
        self.args.len()
    }

    fn release(&mut self, fd: Fd) -> bool {
        let first = !self.runner.closed.contains(&fd);
        if first {
            self.runner.closed.push(fd);
        }
        first
    }

    fn arg_int(&mut self, at: Option<usize>, default: Option<&'static V>) -> Result<i32, Raised> {
        match self.arg(at, default)? {
            R::Int(v) => i32::try_from(v).map_err(|_| Raised::Other(format!("{v} is out of range"))),
            R::Bool(b) => Ok(i32::from(b)),
            other => Err(wrong("an int", &other)),
        }
    }

    fn arg_bool(&mut self, at: Option<usize>, default: Option<&'static V>) -> Result<bool, Raised> {
        match self.arg(at, default)? {
            R::Bool(b) => Ok(b),
            R::Int(v) => Ok(v != 0),
            other => Err(wrong("a bool", &other)),
        }
    }

    fn arg_timeout(&mut self, at: Option<usize>, default: Option<&'static V>) -> Result<Option<u32>, Raised> {
        match self.arg(at, default)? {
            R::None => Ok(None),
            R::Float(f) => Ok(Some((f * 1000.0).ceil() as u32)),
            R::Int(i) => Ok(Some((i as u32).saturating_mul(1000))),
            other => Err(wrong("seconds or None", &other)),
        }
    }

    fn arg_bytes(&mut self, at: Option<usize>, default: Option<&'static V>) -> Result<Vec<u8>, Raised> {
        match self.arg(at, default)? {
            R::Bytes(b) => Ok(b),
            R::Str(s) => Ok(s.into_bytes()),
            other => Err(wrong("bytes", &other)),
        }
    }

    fn arg_buffer(&mut self, at: Option<usize>) -> Result<Vec<u8>, Raised> {
        match self.arg(at, None)? {
            R::Bytes(b) => Ok(b),
            other => Err(wrong("a buffer variable", &other)),
        }
    }

    fn put_buffer(&mut self, at: Option<usize>, buffer: Vec<u8>) {
        if let Some(V::Var(name)) = at.and_then(|i| self.step.args.get(i))
            && let Some((_, v)) = self.runner.vars.iter_mut().rev().find(|(n, _)| n == name)
        {
            *v = R::Bytes(buffer);
        }
    }

    fn arg_size(&mut self, at: Option<usize>, default: Option<&'static V>) -> Result<Option<usize>, Raised> {
        match self.arg(at, default)? {
            R::None => Ok(None),
            R::Int(v) => Ok(usize::try_from(v).ok()),
            other => Err(wrong("a size", &other)),
        }
    }

    fn arg_address(&mut self, at: Option<usize>, default: Option<&'static V>) -> Result<Addr, Raised> {
        match self.arg(at, default)? {
            R::Tuple(items) => match items.as_slice() {
                [R::Str(host), R::Int(port), ..] => {
                    let port = i32::try_from(*port).map_err(|_| Raised::Other(format!("port {port}")))?;
                    Ok(self.runner.stack.addr_parse(Some(host), port)?)
                }
                _ => Err(Raised::Other(format!("bad address {items:?}"))),
            },
            other => Err(wrong("an address", &other)),
        }
    }

    fn arg_host(&mut self, at: Option<usize>, default: Option<&'static V>) -> Result<Option<String>, Raised> {
        match self.arg(at, default)? {
            R::None => Ok(None),
            R::Str(s) => Ok(Some(s)),
            other => Err(wrong("a str or None", &other)),
        }
    }

    /// As the glue: an int, a decimal string, a service name, None (0); -1 for anything else.
    fn arg_port(&mut self, at: Option<usize>, default: Option<&'static V>) -> Result<i32, Raised> {
        Ok(match self.arg(at, default)? {
            R::None => 0,
            R::Int(v) => i32::try_from(v).unwrap_or(-1),
            R::Str(s) if !s.is_empty() && s.len() <= 5 && s.bytes().all(|b| b.is_ascii_digit()) => s.parse().unwrap_or(-1),
            R::Str(s) => self.runner.stack.getservbyname(Some(&s), None).ok().and_then(|p| i32::try_from(p).ok()).unwrap_or(-1),
            _ => -1,
        })
    }

    fn arg_optval(&mut self, at: Option<usize>, default: Option<&'static V>) -> Result<Vec<u8>, Raised> {
        match self.arg(at, default)? {
            R::Bytes(b) => Ok(b),
            R::Int(_) | R::Bool(_) => Ok(self.arg_int(at, default)?.to_ne_bytes().to_vec()),
            other => Err(wrong("an int or bytes", &other)),
        }
    }

    /// ifconfig()'s argument as the glue makes it: 'dhcp', or four IPv4 strings ('' is 0.0.0.0).
    fn arg_ifconfig(&mut self, at: Option<usize>, default: Option<&'static V>) -> Result<Option<IfconfigSet>, Raised> {
        let items = match self.arg(at, default)? {
            R::None => return Ok(None),
            R::Str(s) if s == "dhcp" => return Ok(Some(IfconfigSet { dhcp: 1, ..IfconfigSet::default() })),
            R::Tuple(items) if items.len() == 4 => items,
            other => return Err(wrong("'dhcp' or four addresses", &other)),
        };
        let stack = &mut self.runner.stack;
        let mut ip = |r: &R| match r {
            R::Str(s) if s.is_empty() => Ok(Addr { family: AF_INET as u16, ..Addr::default() }),
            R::Str(s) => Ok(stack.addr_parse(Some(s), 0)?),
            _ => Err(wrong("an IPv4 str", r)),
        };
        let config = Ifconfig { ip: ip(&items[0])?, netmask: ip(&items[1])?, gateway: ip(&items[2])?, dns: ip(&items[3])? };
        Ok(Some(IfconfigSet { dhcp: 0, config }))
    }

    fn ret_none(&mut self) -> R {
        R::None
    }

    fn ret_bool(&mut self, value: bool) -> R {
        R::Bool(value)
    }

    fn ret_int(&mut self, value: i64) -> R {
        R::Int(value)
    }

    fn ret_bytes(&mut self, value: &[u8]) -> R {
        R::Bytes(value.to_vec())
    }

    fn ret_str(&mut self, value: &[u8]) -> R {
        R::Str(String::from_utf8_lossy(value).into_owned())
    }

    fn ret_socket(&mut self, fd: Fd, new: bool) -> R {
        if new {
            // A new socket may have the number of one closed before.
            self.runner.closed.retain(|c| *c != fd);
        }
        R::Sock(fd)
    }

    fn ret_address(&mut self, address: &Addr) -> R {
        R::Tuple(vec![R::Str(self.ip_text(address)), R::Int(i64::from(address.port))])
    }

    fn ret_ip(&mut self, address: &Addr) -> R {
        R::Str(self.ip_text(address))
    }

    fn ret_seconds(&mut self, ms: Option<u32>) -> R {
        ms.map_or(R::None, |ms| R::Float(f64::from(ms) / 1000.0))
    }

    fn ret_tuple(&mut self, items: Vec<R>) -> R {
        R::Tuple(items)
    }
}
