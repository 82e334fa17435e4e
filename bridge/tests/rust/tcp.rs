// TCP on loopback: listen, connect, accept, echo, all in one thread.
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

fn main() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    // The kernel completes the handshake from the listen backlog before accept.
    let mut client = TcpStream::connect(addr).unwrap();
    let (mut server, peer) = listener.accept().unwrap();
    assert_eq!(peer.ip(), addr.ip());
    let msg: Vec<u8> = (0..100_000u32).map(|i| (i % 253) as u8).collect();
    client.write_all(&msg).unwrap();
    client.shutdown(std::net::Shutdown::Write).unwrap();
    let mut got = Vec::new();
    server.read_to_end(&mut got).unwrap();
    assert!(got == msg, "payload differs");
    server.write_all(b"pong").unwrap();
    drop(server);
    let mut reply = String::new();
    client.read_to_string(&mut reply).unwrap();
    println!("tcp ok bytes={} reply={reply}", got.len());
}
