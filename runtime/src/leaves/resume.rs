//! A sendall() that an interrupt cut short: what the same call, retried,
//! needs so that no byte goes out twice.

use crate::Fd;
use crate::leaves::time::Deadline;

/// A sendall() cut short by an interrupt after queuing `sent` of `len` bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SendallResume {
    fd: Fd,
    len: usize,
    sent: usize,
    /// FNV-1a of the bytes already queued: the retry must carry the same data.
    hash: u32,
    deadline: Deadline,
}

impl SendallResume {
    /// Remembers that `sent` bytes of `data` on `fd` were queued before `deadline`.
    pub(crate) fn new(fd: Fd, data: &[u8], sent: usize, deadline: Deadline) -> SendallResume {
        SendallResume { fd, len: data.len(), sent, hash: fnv32(&data[..sent.min(data.len())]), deadline }
    }

    /// The socket it belongs to.
    pub(crate) fn fd(&self) -> Fd {
        self.fd
    }

    /// Where a retry of sendall(`fd`, `data`) starts: the bytes already sent
    /// and the first call's deadline; None when it is another call.
    pub(crate) fn resumes(&self, fd: Fd, data: &[u8]) -> Option<(usize, Deadline)> {
        let same = self.fd == fd && self.len == data.len() && self.sent <= data.len() && self.hash == fnv32(&data[..self.sent]);
        same.then_some((self.sent, self.deadline))
    }
}

/// FNV-1a, 32 bits.
fn fnv32(data: &[u8]) -> u32 {
    data.iter().fold(0x811c_9dc5, |h, &b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_same_call_resumes() {
        let r = SendallResume::new(3, b"hello", 2, Deadline::Never);
        assert!(r.resumes(3, b"hello").is_some_and(|(sent, _)| sent == 2));
        assert!(r.resumes(3, b"jello").is_none(), "other bytes already sent");
        assert!(r.resumes(3, b"heLLO").is_some(), "only the sent bytes are compared");
        assert!(r.resumes(4, b"hello").is_none(), "another socket");
        assert!(r.resumes(3, b"hello world").is_none(), "another length");
    }
}
