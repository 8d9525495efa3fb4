//! [`TcpStream`] as `embedded_io_async`'s Read/Write (the `embedded-io-async`
//! feature): one non-blocking attempt per poll (see [the module docs](super)).

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use embedded_io_async::{Read, Write};

use super::access::Access;
use super::tcp::TcpStream;
use crate::Errno;
use crate::generated::api::SocketApi;

/// Pending once, waking itself: the executor polls the operation again.
pub(super) struct Again(bool);

impl Again {
    /// A fresh one, pending on its first poll.
    pub(super) fn new() -> Self {
        Again(false)
    }
}

impl Future for Again {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// At least one byte once it has come; 0 at end of stream.
impl<A: Access> Read for TcpStream<A> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Errno> {
        loop {
            match self.socket().attempt(|s, fd| s.recv(fd, buf)) {
                Err(Errno::EAGAIN) => Again::new().await,
                done => return done,
            }
        }
    }
}

/// At least one byte once there is room; `flush` has nothing to do.
impl<A: Access> Write for TcpStream<A> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Errno> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            match self.socket().attempt(|s, fd| s.send(fd, buf)) {
                Err(Errno::EAGAIN) => Again::new().await,
                done => return done,
            }
        }
    }

    async fn flush(&mut self) -> Result<(), Errno> {
        Ok(())
    }
}
