// UDP on loopback: datagrams between two sockets of the same program.
use std::net::UdpSocket;

fn main() {
    let a = UdpSocket::bind("127.0.0.1:0").unwrap();
    let b = UdpSocket::bind("127.0.0.1:0").unwrap();
    let b_addr = b.local_addr().unwrap();
    for i in 0..5u8 {
        let msg = vec![i; 100 + 1000 * i as usize];
        a.send_to(&msg, b_addr).unwrap();
    }
    let mut buf = vec![0u8; 65536];
    for i in 0..5u8 {
        let (n, from) = b.recv_from(&mut buf).unwrap();
        assert_eq!(from, a.local_addr().unwrap());
        assert!(buf[..n].iter().all(|x| *x == i), "datagram {i} content");
        println!("datagram {i} len={n}");
    }
}
