//! The C ABI's fixed part, written once for every board: the [`Backend`] a
//! board's exports run on, and the checks that turn a C caller's pointers and
//! lengths into borrows and a result into the C return value. The exports
//! themselves are generated per spec operation (`runtime/generated/c_abi.rs`,
//! which boards instantiate with [`usocket_c_exports!`](crate::usocket_c_exports));
//! these functions are public for them, not as a Rust API.
//!
//! # The pointer contract
//!
//! Every C ABI function takes its pointers on this contract (its `# Safety`):
//! each pointer is NULL (where its length is 0, or where NULL means none) or
//! valid for its length for the whole call — readable for inputs, writable for
//! outputs — and used by nobody else meanwhile (no other thread, and no memory
//! of usocket's own). What can be checked is an error, never undefined
//! behaviour: NULL with a length, a struct pointer not aligned for its type, a
//! region of more than `isize::MAX` bytes, and an output overlapping another
//! argument of the same call are EINVAL. NULL is allowed where it means
//! none: an empty buffer (length 0), no host, nothing to set, and an output
//! the caller does not want (`accept`'s peer address).

#![deny(clippy::undocumented_unsafe_blocks, clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use crate::{Errno, Fd, GaiError, SocketApi};

/// The stack a board's C ABI exports run on.
pub trait Backend {
    /// The stack type.
    type Api: SocketApi;

    /// Runs `f` on the stack; `Err(ENODEV)` when it is not started, EALREADY
    /// while another call is inside (see [`crate::CallerLock`]).
    fn with<R>(f: impl FnOnce(&mut Self::Api) -> R) -> Result<R, Errno>;

    /// Runs one API call on the stack until it is done. A board whose stack
    /// is [`Shared`](crate::Shared) parks a call that must wait and runs it
    /// again after the wait, without holding the stack meanwhile
    /// ([`Shared::call_on`](crate::Shared::call_on)); by default the call
    /// waits on the board holding the stack ([`Backend::with`]).
    fn call<R>(mut f: impl FnMut(&mut Self::Api) -> R) -> Result<R, Errno> {
        Self::with(|api| f(api))
    }

    /// Runs one export's body. A board whose panics unwind (the host) turns a
    /// panic into EIO here, so that none leaves an `extern "C"` function;
    /// firmware aborts on panic, so by default the body just runs.
    fn guard<T>(body: impl FnOnce() -> Result<T, Errno>) -> Result<T, Errno> {
        body()
    }
}

/// Whether `len` values of `T` fit in the `isize::MAX` bytes a slice may span.
fn fits<T>(len: usize) -> bool {
    len.checked_mul(size_of::<T>()).is_some_and(|bytes| bytes <= isize::MAX.unsigned_abs())
}

/// Borrows `len` values of `T` at `ptr` for reading (NULL only with `len` 0).
///
/// # Safety
/// Unless `ptr` is NULL or `len` is 0, `ptr` must point to `len` initialised,
/// valid values of `T` that nobody writes during `'a`.
pub unsafe fn abi_slice<'a, T>(ptr: *const T, len: usize) -> Result<&'a [T], Errno> {
    if !fits::<T>(len) || !ptr.is_aligned() {
        Err(Errno::EINVAL)
    } else if ptr.is_null() {
        if len == 0 { Ok(&[]) } else { Err(Errno::EINVAL) }
    } else {
        // SAFETY: `ptr` is non-NULL and aligned, and `len` values span at most
        // isize::MAX bytes (all checked above); they are initialised and not
        // written during 'a (the caller's contract).
        Ok(unsafe { core::slice::from_raw_parts(ptr, len) })
    }
}

/// Borrows `len` values of `T` at `ptr` for writing (NULL only with `len` 0).
///
/// # Safety
/// Unless `ptr` is NULL or `len` is 0, `ptr` must point to `len` initialised,
/// valid values of `T` that nobody else reads or writes during `'a`.
pub unsafe fn abi_slice_mut<'a, T>(ptr: *mut T, len: usize) -> Result<&'a mut [T], Errno> {
    if !fits::<T>(len) || !ptr.is_aligned() {
        Err(Errno::EINVAL)
    } else if ptr.is_null() {
        if len == 0 { Ok(&mut []) } else { Err(Errno::EINVAL) }
    } else {
        // SAFETY: `ptr` is non-NULL and aligned, and `len` values span at most
        // isize::MAX bytes (all checked above); they are initialised and used
        // by nobody else during 'a (the caller's contract).
        Ok(unsafe { core::slice::from_raw_parts_mut(ptr, len) })
    }
}

/// A host name or service string of `len` bytes: NULL is None; it must be UTF-8.
///
/// # Safety
/// As [`abi_slice`] for `len` bytes.
pub unsafe fn abi_host<'a>(ptr: *const u8, len: usize) -> Result<Option<&'a str>, Errno> {
    if ptr.is_null() {
        return if len == 0 { Ok(None) } else { Err(Errno::EINVAL) };
    }
    // SAFETY: this function's contract is abi_slice's.
    let raw = unsafe { abi_slice(ptr, len) }?;
    core::str::from_utf8(raw).map(Some).map_err(|_| Errno::EINVAL)
}

/// Borrows an input struct; NULL or a misaligned pointer is EINVAL.
///
/// # Safety
/// Unless NULL, `ptr` must point to an initialised, valid `T` that nobody
/// writes during `'a`.
pub unsafe fn abi_in<'a, T>(ptr: *const T) -> Result<&'a T, Errno> {
    // SAFETY: this function's contract is abi_opt_in's.
    unsafe { abi_opt_in(ptr) }?.ok_or(Errno::EINVAL)
}

/// Borrows an optional input struct: NULL is None; a misaligned pointer is EINVAL.
///
/// # Safety
/// As [`abi_in`].
pub unsafe fn abi_opt_in<'a, T>(ptr: *const T) -> Result<Option<&'a T>, Errno> {
    if !ptr.is_aligned() {
        return Err(Errno::EINVAL);
    }
    // SAFETY: aligned (checked above); unless NULL (None), it points to a
    // valid T that nobody writes during 'a (the caller's contract).
    Ok(unsafe { ptr.as_ref() })
}

/// Borrows an output struct; NULL or a misaligned pointer is EINVAL.
///
/// # Safety
/// Unless NULL, `ptr` must point to an initialised, valid `T` that nobody
/// else reads or writes during `'a`.
pub unsafe fn abi_out<'a, T>(ptr: *mut T) -> Result<&'a mut T, Errno> {
    // SAFETY: this function's contract is abi_opt_out's.
    unsafe { abi_opt_out(ptr) }?.ok_or(Errno::EINVAL)
}

/// Borrows an optional output struct: NULL is None (the call does not write
/// it, as BSD `accept()` takes a NULL address); a misaligned pointer is EINVAL.
///
/// # Safety
/// As [`abi_out`].
pub unsafe fn abi_opt_out<'a, T>(ptr: *mut T) -> Result<Option<&'a mut T>, Errno> {
    if !ptr.is_aligned() {
        return Err(Errno::EINVAL);
    }
    // SAFETY: aligned (checked above); unless NULL (None), it points to a
    // valid T that nobody else uses during 'a (the caller's contract).
    Ok(unsafe { ptr.as_mut() })
}

/// One caller region an export borrows: its bytes, and whether it is written.
#[derive(Clone, Copy, Debug)]
pub struct Region {
    start: usize,
    bytes: usize,
    written: bool,
}

impl Region {
    /// `len` values of `T` at `ptr` that the call reads (NULL: none).
    pub fn read<T>(ptr: *const T, len: usize) -> Region {
        Region::new(ptr, len, false)
    }

    /// `len` values of `T` at `ptr` that the call writes (NULL: none).
    pub fn written<T>(ptr: *mut T, len: usize) -> Region {
        Region::new(ptr.cast_const(), len, true)
    }

    fn new<T>(ptr: *const T, len: usize, written: bool) -> Region {
        let bytes = if ptr.is_null() { 0 } else { len.saturating_mul(size_of::<T>()) };
        Region { start: ptr.addr(), bytes, written }
    }

    /// Whether the two share a byte.
    fn overlaps(self, other: Region) -> bool {
        self.bytes > 0 && other.bytes > 0 && self.start < other.start.saturating_add(other.bytes) && other.start < self.start.saturating_add(self.bytes)
    }
}

/// EINVAL when a written region overlaps another region of the same call: a
/// `&mut` borrow must not alias, so this runs before any region is borrowed.
pub fn disjoint(regions: &[Region]) -> Result<(), Errno> {
    let clash = regions.iter().enumerate().any(|(i, a)| regions.iter().skip(i + 1).any(|b| (a.written || b.written) && a.overlaps(*b)));
    if clash { Err(Errno::EINVAL) } else { Ok(()) }
}

/// A negative fd is never open.
pub fn abi_fd(fd: i32) -> Result<Fd, Errno> {
    if fd < 0 { Err(Errno::EBADF) } else { Ok(fd) }
}

/// Milliseconds, -1 for None (block).
pub fn abi_timeout(ms: i32) -> Result<Option<u32>, Errno> {
    match ms {
        -1 => Ok(None),
        _ => u32::try_from(ms).map(Some).map_err(|_| Errno::EINVAL),
    }
}

/// A timeout as the C ABI writes it: milliseconds, -1 for None (block).
pub fn ret_timeout(timeout: Option<u32>) -> i32 {
    timeout.map_or(-1, |ms| i32::try_from(ms).unwrap_or(i32::MAX))
}

/// 0 or -errno.
pub fn ret_status(result: Result<(), Errno>) -> i32 {
    match result {
        Ok(()) => 0,
        Err(e) => -e.value(),
    }
}

/// A non-negative int (an fd, a flag) or -errno.
pub fn ret_int(result: Result<i32, Errno>) -> i32 {
    match result {
        Ok(n) => n,
        Err(e) => -e.value(),
    }
}

/// A byte count or -errno.
pub fn ret_count(result: Result<usize, Errno>) -> isize {
    match result {
        Ok(n) => isize::try_from(n).unwrap_or(isize::MAX),
        Err(e) => -(e.value() as isize),
    }
}

/// A result count, or a negative getaddrinfo code (C ABI misuse and
/// EALREADY/EIO from the lock are EAI_SYSTEM).
pub fn ret_gai(result: Result<Result<usize, GaiError>, Errno>) -> i32 {
    match result {
        Ok(Ok(n)) => i32::try_from(n).unwrap_or(i32::MAX),
        Ok(Err(e)) => e.value(),
        Err(_) => GaiError::EAI_SYSTEM.value(),
    }
}

#[cfg(test)]
mod tests {
    use super::{Region, disjoint};
    use crate::Errno;

    #[test]
    fn written_regions_must_not_overlap() {
        let mut buf = [0u8; 8];
        let p = buf.as_mut_ptr();
        let (a, b) = (p, p.wrapping_add(4));
        assert_eq!(disjoint(&[Region::read(a.cast_const(), 4), Region::written(b, 4)]), Ok(()));
        assert_eq!(disjoint(&[Region::read(a.cast_const(), 5), Region::written(b, 4)]), Err(Errno::EINVAL));
        assert_eq!(disjoint(&[Region::read(a.cast_const(), 8), Region::read(b.cast_const(), 4)]), Ok(()));
        assert_eq!(disjoint(&[Region::written(a, 0), Region::written(a, 8)]), Ok(()));
        assert_eq!(disjoint(&[Region::written(core::ptr::null_mut::<u8>(), 8), Region::written(a, 8)]), Ok(()));
    }
}
