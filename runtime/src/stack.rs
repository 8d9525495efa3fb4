//! The stack: the socket table plus (in the runtime issue) the smoltcp interface.

use crate::generated::api::SocketApi;
use crate::table::{Slot, Table};
use crate::{Addr, Addrinfo, Errno, Fd, GaiError, addr, resolve};

/// Sockets a stack holds (until board configs set it).
pub const DEFAULT_SOCKETS: usize = 16;

/// A socket stack implementing the spec's API.
#[derive(Debug, Default)]
pub struct Stack {
    table: Table<DEFAULT_SOCKETS>,
}

/// Operations of the smoltcp data path, which the runtime issue implements.
fn data_path<T>(table: &mut Table<DEFAULT_SOCKETS>, fd: Fd) -> Result<T, Errno> {
    table.get_mut(fd)?;
    Err(Errno::EOPNOTSUPP)
}

impl Stack {
    /// An empty stack.
    pub fn new() -> Self {
        Stack::default()
    }

    /// Number of open sockets.
    pub fn open_sockets(&self) -> usize {
        self.table.open()
    }
}

impl SocketApi for Stack {
    fn socket(&mut self, af: i32, ty: i32, proto: i32) -> Result<Fd, Errno> {
        self.table.insert(Slot::new(af, ty, proto)?)
    }

    fn getaddrinfo(&mut self, host: Option<&str>, port: i32, af: i32, ty: i32, proto: i32, flags: i32, out: &mut [Addrinfo]) -> Result<usize, GaiError> {
        resolve::resolve(host, port, af, ty, proto, flags, out)
    }

    fn addr_parse(&mut self, host: Option<&str>, port: i32) -> Result<Addr, Errno> {
        addr::parse(host, port)
    }

    fn addr_format(&mut self, address: &Addr, out: &mut [u8]) -> Result<usize, Errno> {
        addr::format(address, out)
    }

    fn close(&mut self, fd: Fd) -> Result<(), Errno> {
        self.table.remove(fd).map(|_| ())
    }

    fn bind(&mut self, fd: Fd, _address: &Addr) -> Result<(), Errno> {
        data_path(&mut self.table, fd)
    }

    fn listen(&mut self, fd: Fd, _backlog: i32) -> Result<(), Errno> {
        data_path(&mut self.table, fd)
    }

    fn accept(&mut self, fd: Fd) -> Result<(Fd, Addr), Errno> {
        data_path(&mut self.table, fd)
    }

    fn connect(&mut self, fd: Fd, _address: &Addr) -> Result<(), Errno> {
        data_path(&mut self.table, fd)
    }

    fn send(&mut self, fd: Fd, _bytes: &[u8]) -> Result<usize, Errno> {
        data_path(&mut self.table, fd)
    }

    fn sendall(&mut self, fd: Fd, _bytes: &[u8]) -> Result<(), Errno> {
        data_path(&mut self.table, fd)
    }

    fn recv(&mut self, fd: Fd, _out: &mut [u8]) -> Result<usize, Errno> {
        data_path(&mut self.table, fd)
    }

    fn sendto(&mut self, fd: Fd, _bytes: &[u8], _address: &Addr) -> Result<usize, Errno> {
        data_path(&mut self.table, fd)
    }

    fn recvfrom(&mut self, fd: Fd, _out: &mut [u8]) -> Result<(usize, Addr), Errno> {
        data_path(&mut self.table, fd)
    }

    fn setsockopt(&mut self, fd: Fd, _level: i32, _optname: i32, _value: &[u8]) -> Result<(), Errno> {
        data_path(&mut self.table, fd)
    }

    fn settimeout(&mut self, fd: Fd, value: Option<u32>) -> Result<(), Errno> {
        self.table.get_mut(fd)?.timeout = value;
        Ok(())
    }

    fn setblocking(&mut self, fd: Fd, flag: bool) -> Result<(), Errno> {
        self.settimeout(fd, if flag { None } else { Some(0) })
    }

    fn read(&mut self, fd: Fd, _out: &mut [u8]) -> Result<usize, Errno> {
        data_path(&mut self.table, fd)
    }

    fn readinto(&mut self, fd: Fd, _buf: &mut [u8]) -> Result<usize, Errno> {
        data_path(&mut self.table, fd)
    }

    fn readline(&mut self, fd: Fd, _out: &mut [u8]) -> Result<usize, Errno> {
        data_path(&mut self.table, fd)
    }

    fn write(&mut self, fd: Fd, _buf: &[u8]) -> Result<usize, Errno> {
        data_path(&mut self.table, fd)
    }

    fn getsockname(&mut self, fd: Fd) -> Result<Addr, Errno> {
        data_path(&mut self.table, fd)
    }

    fn getpeername(&mut self, fd: Fd) -> Result<Addr, Errno> {
        data_path(&mut self.table, fd)
    }

    fn shutdown(&mut self, fd: Fd, _how: i32) -> Result<(), Errno> {
        data_path(&mut self.table, fd)
    }

    fn gettimeout(&mut self, fd: Fd) -> Result<Option<u32>, Errno> {
        Ok(self.table.get_mut(fd)?.timeout)
    }

    fn poll(&mut self, fd: Fd, _events: i32) -> Result<usize, Errno> {
        data_path(&mut self.table, fd)
    }
}
