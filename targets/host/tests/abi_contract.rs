//! The C ABI's pointer contract where it can be checked: a misaligned struct
//! pointer, and an output that overlaps another argument of the same call,
//! are EINVAL (never a borrow that aliases), on the process's loopback stack;
//! and a panic in an export's body is EIO rather than unwinding into C.

use std::sync::Mutex;

use usocket_host::c_abi::*;
use usocket_host::constants::{AF_INET, SOCK_DGRAM};
use usocket_host::{AbiBackend, Addr, Backend, Errno};

/// One test at a time on the process's stack (a concurrent call waits its turn).
static TURN: Mutex<()> = Mutex::new(());

/// -EINVAL as an i32 and as a byte count.
const EINVAL: i32 = -Errno::EINVAL.value();
const EINVAL_COUNT: isize = -(Errno::EINVAL.value() as isize);

/// 127.0.0.1:`port`.
fn localhost(port: u16) -> Addr {
    let mut ip = [0; 16];
    ip[..4].copy_from_slice(&[127, 0, 0, 1]);
    Addr { family: AF_INET as u16, port, scope_id: 0, ip }
}

/// An `Addr` at an odd address inside `buf`.
fn misaligned(buf: &mut [u8; 2 * size_of::<Addr>()], addr: Addr) -> *mut Addr {
    let at = buf.as_mut_ptr().wrapping_add(1);
    // SAFETY: `buf` has room for an Addr after its first byte; unaligned write.
    unsafe { at.cast::<Addr>().write_unaligned(addr) };
    at.cast()
}

#[test]
fn misaligned_structs_are_einval() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let mut buf = [0u8; 2 * size_of::<Addr>()];
    let addr = misaligned(&mut buf, localhost(0));
    // SAFETY: valid pointers; the misaligned one is rejected before use.
    unsafe {
        let fd = usocket_socket(AF_INET, SOCK_DGRAM, 0);
        assert!(fd >= 0);
        assert_eq!(usocket_bind(fd, addr), EINVAL);
        assert_eq!(usocket_getsockname(fd, addr), EINVAL);
        let mut text = [0u8; 64];
        assert_eq!(usocket_addr_format(addr, text.as_mut_ptr(), text.len()), EINVAL_COUNT);
        assert_eq!(usocket_close(fd), 0);
    }
}

#[test]
fn outputs_overlapping_another_argument_are_einval() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    // SAFETY: every pointer is valid for its length; overlapping ones are
    // rejected before either is borrowed.
    unsafe {
        // The text written over the address it is formatted from.
        let mut addr = [localhost(80)];
        let out = addr.as_mut_ptr().cast::<u8>();
        assert_eq!(usocket_addr_format(addr.as_ptr(), out, size_of::<Addr>()), EINVAL_COUNT);
        // Apart, the same call works.
        let mut text = [0u8; 64];
        assert_eq!(usocket_addr_format(addr.as_ptr(), text.as_mut_ptr(), text.len()), 9);
        assert_eq!(&text[..9], b"127.0.0.1");

        // Packed bytes in, text out, in one buffer.
        let mut both = [127u8, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        let p = both.as_mut_ptr();
        assert_eq!(usocket_inet_ntop(AF_INET, p, 4, p.wrapping_add(2), 14), EINVAL_COUNT);
        assert_eq!(usocket_inet_ntop(AF_INET, p, 4, p.wrapping_add(4), 12), 9);

        // Two outputs of one call: the datagram and its sender.
        let fd = usocket_socket(AF_INET, SOCK_DGRAM, 0);
        assert!(fd >= 0);
        let mut from = [Addr::default()];
        let bytes = from.as_mut_ptr().cast::<u8>();
        assert_eq!(usocket_recvfrom(fd, bytes, size_of::<Addr>(), from.as_mut_ptr()), EINVAL_COUNT);
        assert_eq!(usocket_close(fd), 0);
    }
}

#[test]
#[allow(clippy::panic, reason = "the bug under test")]
fn a_panic_in_a_body_is_eio() {
    assert_eq!(AbiBackend::guard::<()>(|| panic!("a bug")), Err(Errno::EIO));
    assert_eq!(AbiBackend::guard(|| Ok(7)), Ok(7));
}
