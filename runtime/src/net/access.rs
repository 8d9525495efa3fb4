//! How a typed handle reaches its stack: [`Access`], implemented for the two
//! owners a program has (a `RefCell` stack, a `Shared` one; its docs say why).

use core::cell::RefCell;

use crate::Errno;
use crate::board::Board;
use crate::generated::api::SocketApi;
use crate::stack::Stack;
use crate::threads::shared::{Platform, Shared};

/// Runs one [`SocketApi`] call on a stack that handles share.
///
/// A handle keeps an `A: Access` and runs each operation as one call. Two
/// owners are built in, for the two ways a program holds a stack: a
/// `RefCell<Stack>` (one thread, bare metal: a blocking call waits inside the
/// stack, on its board's `wait`; a call from inside a call is EALREADY, never
/// a panic) and a [`Shared`] stack (threads: a blocking call parks without
/// the lock). Handles keep a reference (`&A` is an `Access`, and with `std`
/// an `Arc<A>`), so they need no heap; both owners run the same
/// [`SocketApi`] calls, so one set of handle types serves both.
///
/// ```
/// # use usocket_runtime::{Errno, SocketApi, net::Access};
/// // Generic over Access: works for a RefCell'd stack and a Shared one alike.
/// fn mqtt_port<A: Access>(net: &A) -> Result<usize, Errno> {
///     net.call(|s| s.getservbyname(Some("mqtt"), None))
/// }
/// ```
pub trait Access {
    /// The stack the calls run on.
    type Stack: SocketApi;

    /// Runs `call` on the stack until it is done; it may run more than once
    /// (a [`Shared`] stack runs it again after a park), so it must only call
    /// the stack. EALREADY when called from inside a call.
    fn call<T>(&self, call: impl FnMut(&mut Self::Stack) -> Result<T, Errno>) -> Result<T, Errno>;
}

/// One owner: the stack behind a `RefCell` (a bare-metal firmware's one thread).
impl<S: SocketApi> Access for RefCell<S> {
    type Stack = S;

    fn call<T>(&self, mut call: impl FnMut(&mut S) -> Result<T, Errno>) -> Result<T, Errno> {
        let mut stack = self.try_borrow_mut().map_err(|_| Errno::EALREADY)?;
        call(&mut stack)
    }
}

/// Threads or tasks: each call under the platform's lock, parking while it waits.
impl<'s, B: Board + Send + 's, P: Platform, const SLEEPERS: usize> Access for Shared<Stack<'s, B>, P, SLEEPERS>
where
    P::Task: Send,
{
    type Stack = Stack<'s, B>;

    fn call<T>(&self, call: impl FnMut(&mut Stack<'s, B>) -> Result<T, Errno>) -> Result<T, Errno> {
        Shared::call(self, call)
    }
}

/// A borrowed owner: what handles usually keep (copied into accepted ones).
impl<A: Access + ?Sized> Access for &A {
    type Stack = A::Stack;

    fn call<T>(&self, call: impl FnMut(&mut A::Stack) -> Result<T, Errno>) -> Result<T, Errno> {
        (**self).call(call)
    }
}

/// An owner shared by reference count, for threads that outlive a scope.
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
impl<A: Access + ?Sized> Access for std::sync::Arc<A> {
    type Stack = A::Stack;

    fn call<T>(&self, call: impl FnMut(&mut A::Stack) -> Result<T, Errno>) -> Result<T, Errno> {
        (**self).call(call)
    }
}
