//! Name lookups through smoltcp's DNS socket (the `dns` feature): A and AAAA
//! (with `ipv6`) queries against the board's servers, within the board's DNS
//! time limit.

use core::net::IpAddr;

use smoltcp::socket::dns::{self, GetQueryResultError, QueryHandle, StartQueryError};
use smoltcp::wire::DnsQueryType;

use crate::board::Board;
use crate::constants::{AF_INET, AF_INET6};
use crate::leaves::resolve::{Request, fill};
use crate::leaves::services::{Resolver, server_list};
use crate::owners::pool::OwnSocket;
use crate::stack::Stack;
use crate::{Addrinfo, Errno, GaiError};

/// A query's progress.
#[derive(Clone, Copy)]
enum Lookup {
    /// Not asked (the family was not requested).
    Skipped,
    /// Waiting for its answer.
    Pending(QueryHandle),
    /// Answered with these addresses.
    Found([Option<IpAddr>; 4]),
    /// The server said no (NXDOMAIN, no such record, failure).
    Failed,
}

impl<B: Board> Stack<'_, B> {
    /// Resolves `name` with DNS.
    pub(super) fn dns_lookup(&mut self, request: &Request, name: &str, out: &mut [Addrinfo]) -> Result<usize, GaiError> {
        let handle = match self.dns {
            Some(Resolver { socket, servers }) if servers > 0 => socket,
            _ => return Err(GaiError::EAI_FAIL),
        };
        let mut lookups = self.dns_start(handle, request, name)?;
        let limit = Some(self.config.dns_timeout_ms.max(1));
        // A lookup cannot park (see `threads/park.rs`): it waits holding the stack.
        // UPSTREAM(smoltcp 0.14): a query's answer is handed out once
        // (get_query_result frees its slot), so a parked lookup could not
        // look again — remove when smoltcp can hand an answer out again
        // (then a lookup parks like any call).
        let mode = core::mem::take(&mut self.mode);
        let waited = self.block(None, limit, |stack| {
            let Some(socket) = stack.pool.own::<dns::Socket>(handle) else { return Some(Err(Errno::EIO)) };
            for lookup in lookups.iter_mut() {
                let Lookup::Pending(q) = *lookup else { continue };
                *lookup = match socket.get_query_result(q) {
                    Ok(addrs) => {
                        let mut found = [None; 4];
                        for (slot, a) in found.iter_mut().zip(addrs.iter()) {
                            *slot = Some(IpAddr::from(*a));
                        }
                        Lookup::Found(found)
                    }
                    Err(GetQueryResultError::Pending) => continue,
                    Err(GetQueryResultError::Failed) => Lookup::Failed,
                };
            }
            (!lookups.iter().any(|l| matches!(l, Lookup::Pending(_)))).then_some(Ok(()))
        });
        self.mode = mode;
        if let Err(e) = waited {
            self.dns_cancel(&lookups);
            return Err(if e == Errno::EINTR { GaiError::EAI_INTR } else { GaiError::EAI_AGAIN });
        }
        let ips = lookups.iter().flat_map(|l| match l {
            Lookup::Found(found) => *found,
            _ => [None; 4],
        });
        fill(request, ips.flatten(), out)
    }

    /// Starts the A and AAAA queries `request` asks for.
    fn dns_start(&mut self, handle: OwnSocket, request: &Request, name: &str) -> Result<[Lookup; 2], GaiError> {
        let kinds = [(AF_INET, DnsQueryType::A), (AF_INET6, DnsQueryType::Aaaa)];
        let mut lookups = [Lookup::Skipped; 2];
        for (lookup, (family, kind)) in lookups.iter_mut().zip(kinds) {
            // Without IPv6 there is nothing to do with an AAAA answer.
            if (request.af != 0 && request.af != family) || (family == AF_INET6 && !cfg!(feature = "ipv6")) {
                continue;
            }
            let Some(socket) = self.pool.own::<dns::Socket>(handle) else { return Err(GaiError::EAI_FAIL) };
            match socket.start_query(self.iface.context(), name, kind) {
                Ok(q) => *lookup = Lookup::Pending(q),
                Err(e) => {
                    self.dns_cancel(&lookups);
                    return Err(match e {
                        StartQueryError::NoFreeSlot => GaiError::EAI_AGAIN,
                        StartQueryError::InvalidName | StartQueryError::NameTooLong => GaiError::EAI_NONAME,
                    });
                }
            }
        }
        Ok(lookups)
    }

    /// The interface's DNS servers changed (a static ifconfig() or a DHCP lease): the DNS socket asks those.
    pub(super) fn dns_servers_changed(&mut self) {
        let (list, n) = server_list(&self.net);
        if let Some(resolver) = self.dns.as_mut() {
            resolver.servers = n;
            let handle = resolver.socket;
            if let Some(socket) = self.pool.own::<dns::Socket>(handle) {
                socket.update_servers(&list[..n]);
            }
        }
    }

    /// Cancels queries still waiting (a finished query's slot is already free).
    fn dns_cancel(&mut self, lookups: &[Lookup]) {
        let Some(Resolver { socket: handle, .. }) = self.dns else { return };
        let Some(socket) = self.pool.own::<dns::Socket>(handle) else { return };
        for l in lookups {
            if let Lookup::Pending(q) = l {
                socket.cancel_query(*q);
            }
        }
    }
}
