use std::cell::RefCell;
use usocket_host::net::{TcpListener, TcpStream};
use usocket_host::{AnyBoard, HostMemory, Stack, boards::HOST_LOOPBACK};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = HOST_LOOPBACK.config;
    let mut memory = HostMemory::new(&config);
    let stack = RefCell::new(Stack::new(memory.lend(), AnyBoard::loopback(), config)?);

    let listener = TcpListener::bind(&stack, "127.0.0.1:7000".parse()?)?;
    let client = TcpStream::connect(&stack, listener.local_addr()?)?;
    let (server, peer) = listener.accept()?;

    client.send_all(b"hello")?;
    let mut buf = [0; 64];
    let n = server.recv(&mut buf)?;
    server.send_all(&buf[..n])?;
    let n = client.recv(&mut buf)?;
    println!("{peer} echoed {}", std::str::from_utf8(&buf[..n])?);
    Ok(())
}
