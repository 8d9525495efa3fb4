//! The behaviour-case runner shared by the Rust API's conformance tests
//! (`targets/host/tests/conformance.rs`: every case on the loopback board) and
//! the feature tests (`runtime/tests/features.rs`: the `without` cases on a
//! build that leaves features out). A step calls a `SocketApi` method by its
//! spec name with Python-like values; this runner maps them as the MicroPython
//! glue does.

use usocket_runtime::constants::*;
use usocket_runtime::{Addr, Addrinfo, Errno, Fd, Ifconfig, IfconfigSet, SocketApi};

/// A spec value, as the generated data writes it.
#[derive(Debug)]
pub enum V {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'static str),
    Bytes(&'static [u8]),
    Const(&'static str, i64),
    Var(&'static str),
    Tuple(&'static [V]),
}

/// What a step expects.
pub enum Expect {
    Ok,
    Error(&'static str, i64),
    Exception(&'static str),
    Returns(V),
}

/// One step (see spec/cases.toml).
pub struct Step {
    pub bind: Option<&'static str>,
    pub index: Option<usize>,
    pub on: Option<&'static str>,
    pub call: &'static str,
    pub args: &'static [V],
    pub expect: Expect,
    pub until: Option<(&'static str, i64, u32)>,
}

/// One case.
pub struct Case {
    pub id: &'static str,
    pub steps: &'static [Step],
}

/// The generated cases (`CASES`, `NOT_HERE`, `WITHOUT`).
pub mod data {
    use super::{Case, Expect, Step, V};
    use usocket_runtime::constants;
    include!("../../../generated/conformance/cases.rs");
}

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

/// A step's outcome, for messages.
fn show(r: &Result<R, Raised>) -> String {
    match r {
        Ok(v) => format!("{v:?}"),
        Err(e) => e.to_string(),
    }
}

impl From<Errno> for Raised {
    fn from(e: Errno) -> Raised {
        Raised::Os(i64::from(e.value()))
    }
}

/// Runs cases on one stack (a fresh one per case).
pub struct Runner<S> {
    stack: S,
    vars: Vec<(&'static str, R)>,
    closed: Vec<Fd>,
}

impl<S: SocketApi> Runner<S> {
    /// A runner on `stack`.
    pub fn new(stack: S) -> Self {
        Runner { stack, vars: Vec::new(), closed: Vec::new() }
    }

    fn value(&self, v: &V) -> R {
        match v {
            V::None => R::None,
            V::Bool(b) => R::Bool(*b),
            V::Int(i) => R::Int(*i),
            V::Float(f) => R::Float(*f),
            V::Str(s) => R::Str(s.to_string()),
            V::Bytes(b) => R::Bytes(b.to_vec()),
            V::Const(_, v) => R::Int(*v),
            V::Var(name) => self.vars.iter().rev().find(|(n, _)| n == name).map(|(_, r)| r.clone()).unwrap_or(R::None),
            V::Tuple(items) => R::Tuple(items.iter().map(|i| self.value(i)).collect()),
        }
    }

    fn addr_out(&mut self, a: &Addr) -> R {
        R::Tuple(vec![self.ip_out(a), R::Int(i64::from(a.port))])
    }

    /// An address's IP as a str (ifconfig's items).
    fn ip_out(&mut self, a: &Addr) -> R {
        let mut text = [0u8; 64];
        let n = self.stack.addr_format(a, &mut text).unwrap_or(0);
        R::Str(String::from_utf8_lossy(&text[..n]).into_owned())
    }

    fn addr_in(&mut self, r: &R) -> Result<Addr, Raised> {
        match r {
            R::Tuple(items) => match items.as_slice() {
                [R::Str(host), R::Int(port), ..] => {
                    let port = i32::try_from(*port).map_err(|_| Raised::Other("port".into()))?;
                    Ok(self.stack.addr_parse(Some(host), port)?)
                }
                _ => Err(Raised::Other(format!("bad address {r:?}"))),
            },
            _ => Err(Raised::Other(format!("bad address {r:?}"))),
        }
    }

    /// ifconfig()'s argument as the glue makes it: 'dhcp', or four IPv4 strings ('' is 0.0.0.0).
    fn ifconfig_in(&mut self, r: &R) -> Result<IfconfigSet, Raised> {
        let items = match r {
            R::Str(s) if s == "dhcp" => return Ok(IfconfigSet { dhcp: 1, ..IfconfigSet::default() }),
            R::Tuple(items) if items.len() == 4 => items,
            _ => return Err(Raised::Other(format!("bad ifconfig argument {r:?}"))),
        };
        let mut ip = |r: &R| match r {
            R::Str(s) if s.is_empty() => Ok(Addr { family: AF_INET as u16, ..Addr::default() }),
            R::Str(s) => Ok(self.stack.addr_parse(Some(s), 0)?),
            _ => Err(Raised::Other(format!("bad ifconfig address {r:?}"))),
        };
        let config = Ifconfig { ip: ip(&items[0])?, netmask: ip(&items[1])?, gateway: ip(&items[2])?, dns: ip(&items[3])? };
        Ok(IfconfigSet { dhcp: 0, config })
    }

    fn call(&mut self, step: &Step) -> Result<R, Raised> {
        let args: Vec<R> = step.args.iter().map(|a| self.value(a)).collect();
        let int = |i: usize, default: i64| match args.get(i) {
            Some(R::Int(v)) => *v as i32,
            Some(R::Bool(b)) => i32::from(*b),
            _ => default as i32,
        };
        let size = |i: usize| match args.get(i) {
            Some(R::Int(v)) if *v >= 0 => *v as usize,
            _ => 4096,
        };
        let bytes = |i: usize| match args.get(i) {
            Some(R::Bytes(b)) => b.clone(),
            _ => Vec::new(),
        };
        let s = &mut self.stack;
        let fd = match step.on {
            Some(name) => match self.vars.iter().rev().find(|(n, _)| *n == name) {
                Some((_, R::Sock(fd))) => *fd,
                other => return Err(Raised::Other(format!("`{name}` is not a socket: {other:?}"))),
            },
            None => -1,
        };
        let eagain_none = |r: Result<usize, Errno>, buf: Vec<u8>| match r {
            Ok(n) => Ok(R::Bytes(buf[..n].to_vec())),
            Err(Errno::EAGAIN) => Ok(R::None),
            Err(e) => Err(Raised::from(e)),
        };
        Ok(match step.call {
            // The generated data holds the generated constant, not the spec's number.
            "value" => args[0].clone(),
            "buffer" => R::Bytes(vec![0; size(0)]),
            "addr_parse" => {
                let a = self.addr_in(&R::Tuple(args.clone()))?;
                self.addr_out(&a)
            }
            "addr_format" => {
                let a = self.addr_in(&args[0])?;
                let mut text = [0u8; 64];
                let n = self.stack.addr_format(&a, &mut text)?;
                R::Str(String::from_utf8_lossy(&text[..n]).into_owned())
            }
            "readinto" => {
                let (Some(V::Var(name)), Some(R::Bytes(mut buf))) = (step.args.first(), args.first().cloned()) else {
                    return Err(Raised::Other("readinto() needs a buffer variable".into()));
                };
                let n = match args.get(1) {
                    Some(R::Int(n)) => *n as usize,
                    _ => buf.len(),
                };
                let r = match s.readinto(fd, &mut buf[..n]) {
                    Ok(got) => R::Int(got as i64),
                    Err(Errno::EAGAIN) => R::None,
                    Err(e) => return Err(e.into()),
                };
                if let Some((_, v)) = self.vars.iter_mut().rev().find(|(n, _)| n == name) {
                    *v = R::Bytes(buf);
                }
                r
            }
            "poll" => R::Int(s.poll(fd, int(0, 0))? as i64),
            "inet_pton" => {
                let text = match args.get(1) {
                    Some(R::Str(t)) => Some(t.clone()),
                    _ => None,
                };
                let mut packed = [0u8; 16];
                let n = s.inet_pton(int(0, 0), text.as_deref(), &mut packed)?;
                R::Bytes(packed[..n].to_vec())
            }
            "inet_ntop" => {
                let mut text = [0u8; 64];
                let n = s.inet_ntop(int(0, 0), &bytes(1), &mut text)?;
                R::Str(String::from_utf8_lossy(&text[..n]).into_owned())
            }
            "fileno" => R::Int(s.fileno(fd)? as i64),
            "getservbyname" => {
                let text = |i: usize| match args.get(i) {
                    Some(R::Str(t)) => Some(t.clone()),
                    _ => None,
                };
                let (name, protocol) = (text(0), text(1));
                R::Int(s.getservbyname(name.as_deref(), protocol.as_deref())? as i64)
            }
            "socket" => R::Sock(s.socket(int(0, AF_INET as i64), int(1, SOCK_STREAM as i64), int(2, 0))?),
            "getaddrinfo" => {
                let host = match args.first() {
                    Some(R::Str(h)) => Some(h.clone()),
                    _ => None,
                };
                let mut out = [Addrinfo::default(); 4];
                let n = s
                    .getaddrinfo(host.as_deref(), int(1, 0), int(2, 0), int(3, 0), int(4, 0), int(5, 0), &mut out)
                    .map_err(|e| Raised::Os(i64::from(e.value())))?;
                let infos = out[..n].to_vec();
                R::Tuple(
                    infos
                        .iter()
                        .map(|i| {
                            R::Tuple(vec![
                                R::Int(i.family.into()),
                                R::Int(i.socktype.into()),
                                R::Int(i.proto.into()),
                                R::Str(String::new()),
                                self.addr_out(&i.addr),
                            ])
                        })
                        .collect(),
                )
            }
            "bind" => {
                let a = self.addr_in(&args[0])?;
                self.stack.bind(fd, &a)?;
                R::None
            }
            "connect" => {
                let a = self.addr_in(&args[0])?;
                self.stack.connect(fd, &a)?;
                R::None
            }
            "listen" => {
                s.listen(fd, int(0, 2))?;
                R::None
            }
            "accept" => {
                let (new, peer) = s.accept(fd)?;
                R::Tuple(vec![R::Sock(new), self.addr_out(&peer)])
            }
            "send" => R::Int(s.send(fd, &bytes(0))? as i64),
            "sendall" => {
                s.sendall(fd, &bytes(0))?;
                R::None
            }
            "write" => match s.write(fd, &bytes(0)) {
                Ok(n) => R::Int(n as i64),
                Err(Errno::EAGAIN) => R::None,
                Err(e) => return Err(e.into()),
            },
            "recv" => {
                let mut buf = vec![0; size(0)];
                let n = s.recv(fd, &mut buf)?;
                R::Bytes(buf[..n].to_vec())
            }
            "read" => {
                let mut buf = vec![0; size(0)];
                let r = s.read(fd, &mut buf);
                return eagain_none(r, buf);
            }
            "readline" => {
                let mut buf = vec![0; 4096];
                let r = s.readline(fd, &mut buf);
                return eagain_none(r, buf);
            }
            "sendto" => {
                let a = self.addr_in(&args[1])?;
                R::Int(self.stack.sendto(fd, &bytes(0), &a)? as i64)
            }
            "recvfrom" => {
                let mut buf = vec![0; size(0)];
                let (n, from) = s.recvfrom(fd, &mut buf)?;
                R::Tuple(vec![R::Bytes(buf[..n].to_vec()), self.addr_out(&from)])
            }
            "setsockopt" => {
                let value = match args.get(2) {
                    Some(R::Bytes(b)) => b.clone(),
                    _ => int(2, 0).to_ne_bytes().to_vec(),
                };
                s.setsockopt(fd, int(0, 0), int(1, 0), &value)?;
                R::None
            }
            "settimeout" => {
                let ms = match args.first() {
                    Some(R::Float(f)) => Some((f * 1000.0).ceil() as u32),
                    Some(R::Int(i)) => Some((*i as u32) * 1000),
                    _ => None,
                };
                s.settimeout(fd, ms)?;
                R::None
            }
            "setblocking" => {
                s.setblocking(fd, int(0, 1) != 0)?;
                R::None
            }
            "gettimeout" => match s.gettimeout(fd)? {
                None => R::None,
                Some(ms) => R::Float(f64::from(ms) / 1000.0),
            },
            "getsockname" => {
                let a = s.getsockname(fd)?;
                self.addr_out(&a)
            }
            "getpeername" => {
                let a = s.getpeername(fd)?;
                self.addr_out(&a)
            }
            "shutdown" => {
                s.shutdown(fd, int(0, 0))?;
                R::None
            }
            // With an argument it sets, and returns None (as from Python).
            "ifconfig" => match args.first() {
                Some(arg) => {
                    let set = self.ifconfig_in(arg)?;
                    self.stack.ifconfig(Some(&set))?;
                    R::None
                }
                None => {
                    let c = s.ifconfig(None)?;
                    R::Tuple(vec![self.ip_out(&c.ip), self.ip_out(&c.netmask), self.ip_out(&c.gateway), self.ip_out(&c.dns)])
                }
            },
            "active" => R::Bool(s.active()?),
            "isconnected" => R::Bool(s.isconnected()?),
            "status" => R::Int(s.status()? as i64),
            "dhcp_state" => R::Int(s.dhcp_state()? as i64),
            "close_all" => {
                s.close_all()?;
                R::None
            }
            "poll_delay" => match s.poll_delay()? {
                None => R::None,
                Some(ms) => R::Float(f64::from(ms) / 1000.0),
            },
            // The socket itself.
            "makefile" => R::Sock(fd),
            "close" => {
                // Python may close twice; the Rust API reports the second (EBADF).
                if !self.closed.contains(&fd) {
                    s.close(fd)?;
                    self.closed.push(fd);
                }
                R::None
            }
            other => return Err(Raised::Other(format!("the runner has no mapping for `{other}`"))),
        })
    }

    /// Runs a case: Ok, or what went wrong.
    pub fn run(&mut self, case: &Case) -> Result<(), String> {
        for (n, step) in case.steps.iter().enumerate() {
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
