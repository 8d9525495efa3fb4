//! reqwless (HTTP, over embedded-nal-async and embedded-io-async) on the TAP
//! board GETs a file from Python's http.server on the kernel side; the body
//! must be the file's bytes.

use std::time::{Duration, Instant};

use reqwless::client::HttpClient;
use reqwless::request::Method;
use usocket_clients::{KERNEL, Link, can_run};
use usocket_host::net::Nal;

/// The file's size: several TCP segments and more than one read buffer.
const BODY: usize = 100_000;

#[test]
fn reqwless_gets_a_file_from_python_http_server() {
    if !can_run("http") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("usocket-http-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("make the served directory");
    let body: Vec<u8> = (0..BODY).map(|i| (i % 251) as u8 ^ (i / 251) as u8).collect();
    std::fs::write(dir.join("data.bin"), &body).expect("write the served file");
    let mut link = Link::new("http");
    let dir_arg = dir.to_str().expect("utf-8 path").to_string();
    link.server(8000, "python3", &["-m", "http.server", "8000", "--bind", &KERNEL.to_string(), "--directory", &dir_arg]);

    let url = format!("http://{KERNEL}:8000/data.bin");
    let (status, got, took) = link.on_board(move |net| {
        let nal = Nal::new(net);
        let mut client = HttpClient::new(&nal, &nal);
        let started = Instant::now();
        embassy_futures::block_on(async {
            let mut rx = vec![0u8; 4096];
            let mut request = client.request(Method::GET, &url).await.expect("connect and request");
            let response = request.send(&mut rx).await.expect("response head");
            let status = response.status.0;
            let mut got = Vec::new();
            let mut reader = response.body().reader();
            let mut chunk = [0u8; 2048];
            loop {
                assert!(started.elapsed() < Duration::from_secs(20), "the body took over 20 s ({} bytes)", got.len());
                let n = embedded_io_async::Read::read(&mut reader, &mut chunk).await.expect("body");
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&chunk[..n]);
            }
            (status, got, started.elapsed())
        })
    });
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(status, 200);
    assert_eq!(got.len(), body.len());
    assert!(got == body, "the body is the file's bytes");
    eprintln!("http: {} bytes from http.server in {took:?}", got.len());
}
