//! Popular MicroPython libraries, unmodified (from PyPI, or micropython-lib's
//! in the MicroPython source package), on our interpreter against real peers
//! in a namespace of its own: micropython-lib's requests against CPython's
//! http.server (`tests/libraries/http_peer.py`); umqtt.simple and
//! umqtt.simple2 against mosquitto; and microdot (the MicroPython web framework) serves
//! `tests/libraries/microdot_app.py` from a TAP board in a namespace of its
//! own, and the kernel's side fetches with curl (GET, a 1 MiB POST whose
//! SHA-256 the app returns, a 10 MiB streamed response checked by size and
//! SHA-256) and loads it with `ab -n 2000 -c 20` (0 failed requests). The same
//! app on stock MicroPython (kernel sockets, in the same namespace) takes the
//! same `ab` run; both req/s figures are printed side by side (a benchmark
//! figure, not a timed test). Needs root, curl and ab; says so when skipped.

use std::path::Path;
use std::process::Command;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use crate::provision::pypi::Package;
use crate::suites::dhcp::{Killed, spawn_in};
use crate::verbosity::progress;
use usocket_netns::Netns;

/// microdot from PyPI, pinned.
const MICRODOT: Package =
    Package { project: "microdot", file: "microdot-2.7.0-py3-none-any.whl", sha256: "1e9b7b825372e1ba8ebd4c59b6180e15c71f4b5200ec4bcbf8c9f9b5652db379" };

/// umqtt.simple and umqtt.simple2 from PyPI (sdists), pinned.
const UMQTT: [Package; 2] = [
    Package {
        project: "micropython-umqtt-simple",
        file: "micropython-umqtt.simple-1.3.4.tar.gz",
        sha256: "b6a2520239e3992c63a7de9370ee9b3d9d27819a90359c521f1c0f7ccab8d12f",
    },
    Package {
        project: "micropython-umqtt-simple2",
        file: "micropython-umqtt.simple2-2.2.0.tar.gz",
        sha256: "48fd4da7701b95986293b06d343fbc564ebe7dfa82f5c8c09364c20df755f0e4",
    },
];

/// The namespace of the run.
static NETNS: LazyLock<String> = LazyLock::new(|| usocket_netns::private_name("usocket-libraries"));

/// Where the app listens, on the board (192.0.2.2) and on stock's kernel stack (192.0.2.1).
const PORT: &str = "8080";

/// Our interpreter's board: the TAP device, 192.0.2.2 (the kernel is 192.0.2.1).
const BOARD_ENV: [&str; 3] = ["USOCKET_BOARD=tap", "USOCKET_TAP=tap0", "USOCKET_IPV4=192.0.2.2/24"];

/// `MICROPYPATH=...` for an interpreter that imports the libraries in `dirs`
/// (after its frozen modules).
fn micropypath(dirs: &[&Path]) -> String {
    let dirs: Vec<String> = dirs.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    format!("MICROPYPATH=.frozen:{}", dirs.join(":"))
}

/// Requests and concurrency of the load run.
const AB_REQUESTS: &str = "2000";
const AB_CONCURRENCY: &str = "20";

/// Runs `args` in the namespace; its stdout.
fn in_netns(args: &[&str]) -> Result<String, String> {
    crate::exec::output("ip", &[&["netns", "exec", NETNS.as_str()][..], args].concat())
}

/// Starts the app with `interpreter` (and `env`) in the namespace and waits,
/// at most 20 s, until `url` answers.
fn serve(interpreter: &Path, env: &[&str], path: &Path, url: &str, log: &Path) -> Result<Killed, String> {
    let micropypath = micropypath(&[path]);
    let exe = interpreter.to_string_lossy();
    let app = crate::root().join("tests/libraries/microdot_app.py");
    let app = app.to_string_lossy();
    let mut args = vec!["env", micropypath.as_str()];
    args.extend(env);
    args.extend([exe.as_ref(), app.as_ref(), PORT]);
    let server = spawn_in(NETNS.as_str(), &args, log)?;
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        if in_netns(&["curl", "-sf", "-m", "2", url]).is_ok() {
            return Ok(server);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Err(format!("the microdot app did not answer {url} within 20 s; its output:\n{}", std::fs::read_to_string(log).unwrap_or_default()))
}

/// The SHA-256 of a file, in hex.
fn sha256_of(path: &Path) -> Result<String, String> {
    crate::provision::debian::sha256(path).ok_or_else(|| format!("cannot hash {}", path.display()))
}

/// `n` bytes of the app's pattern (bytes 0..=255 repeated).
fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 256) as u8).collect()
}

/// curl against the app on the board: GET, 1 MiB POST, 10 MiB GET.
fn fetches(base: &str, dir: &Path) -> Result<(), String> {
    let body = in_netns(&["curl", "-sS", "-f", "-m", "20", &format!("{base}/")])?;
    if body != "hello from microdot" {
        return Err(format!("GET / returned {body:?}"));
    }
    let upload = dir.join("upload.bin");
    let data: Vec<u8> = (0..1024 * 1024u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    std::fs::write(&upload, &data).map_err(|e| e.to_string())?;
    let sent = format!("@{}", upload.display());
    let hash = in_netns(&["curl", "-sS", "-f", "-m", "60", "--data-binary", &sent, "-H", "Content-Type: application/octet-stream", &format!("{base}/sha256")])?;
    let want = sha256_of(&upload)?;
    if hash.trim() != want {
        return Err(format!("POST /sha256 of 1 MiB returned {hash:?}, expected {want}"));
    }
    let big = dir.join("big.bin");
    let n = 10 * 1024 * 1024;
    let out = big.to_string_lossy().into_owned();
    in_netns(&["curl", "-sS", "-f", "-m", "120", "-o", &out, &format!("{base}/bytes/{n}")])?;
    let expected = dir.join("expected.bin");
    std::fs::write(&expected, pattern(n)).map_err(|e| e.to_string())?;
    let (got, want) = (sha256_of(&big)?, sha256_of(&expected)?);
    let size = std::fs::metadata(&big).map(|m| m.len()).unwrap_or(0);
    if size != n as u64 || got != want {
        return Err(format!("GET /bytes/{n} gave {size} bytes with SHA-256 {got}, expected {n} with {want}"));
    }
    progress!("==> microdot on our TAP board: GET /, POST 1 MiB (SHA-256 matches), GET 10 MiB (size and SHA-256 match)");
    Ok(())
}

/// `ab` against `url`: its requests per second; an error unless every request succeeded.
fn load(url: &str) -> Result<f64, String> {
    let out = in_netns(&["ab", "-q", "-n", AB_REQUESTS, "-c", AB_CONCURRENCY, "-s", "30", url])?;
    let field = |name: &str| out.lines().find_map(|l| l.strip_prefix(name)).map(|v| v.trim().to_string()).unwrap_or_default();
    let (complete, failed, non_2xx) = (field("Complete requests:"), field("Failed requests:"), field("Non-2xx responses:"));
    if complete != AB_REQUESTS || failed != "0" || !non_2xx.is_empty() {
        return Err(format!("ab -n {AB_REQUESTS} -c {AB_CONCURRENCY} {url}: {complete} complete, {failed} failed, non-2xx {non_2xx:?}\n{out}"));
    }
    field("Requests per second:").split_whitespace().next().and_then(|v| v.parse().ok()).ok_or_else(|| format!("no requests per second in ab's output:\n{out}"))
}

/// Whether `program` can be run.
fn present(program: &str, arg: &str) -> bool {
    crate::exec::captured(Command::new(program).arg(arg)).is_ok()
}

/// Runs a client script of `tests/libraries/` with our interpreter on the
/// TAP board (the libraries on `path`), at most 90 s; it must print DONE.
fn client(ours: &Path, path: &[&Path], script: &str, args: &[&str]) -> Result<(), String> {
    let micropypath = micropypath(path);
    let script = crate::root().join("tests/libraries").join(script);
    let (exe, script) = (ours.to_string_lossy(), script.to_string_lossy());
    let mut command = vec!["env", micropypath.as_str()];
    command.extend(BOARD_ENV);
    command.extend(["timeout", "90", &exe, &script]);
    command.extend(args);
    let out = crate::exec::captured(Command::new("ip").args(["netns", "exec", NETNS.as_str()]).args(&command)).map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    for line in stdout.lines() {
        println!("    {line}");
    }
    if !out.status.success() || stdout.lines().last() != Some("DONE") {
        return Err(format!("{script} {} failed ({}):\n{stdout}{}", args.join(" "), out.status, String::from_utf8_lossy(&out.stderr)));
    }
    Ok(())
}

/// micropython-lib's requests (from the MicroPython source package) against
/// the kernel's HTTP server.
fn requests(ours: &Path, dir: &Path) -> Result<(), String> {
    let lib = crate::lab::micropython::source(None)?.join("lib/micropython-lib/micropython/requests");
    let peer = crate::root().join("tests/libraries/http_peer.py");
    let _server = spawn_in(NETNS.as_str(), &["python3", &peer.to_string_lossy(), "192.0.2.1", "8090"], &dir.join("http_peer.log"))?;
    usocket_netns::wait_listening(NETNS.as_str(), "192.0.2.1:8090".parse().map_err(|e| format!("{e}"))?, crate::suites::dhcp::SERVER_START)?;
    client(ours, &[&lib], "requests_client.py", &["http://192.0.2.1:8090"])?;
    progress!("==> micropython-lib requests on our TAP board: GET 256 KiB, POST 200 kB and JSON against CPython's http.server");
    Ok(())
}

/// umqtt.simple and umqtt.simple2 against mosquitto on the kernel's side.
fn mqtt(ours: &Path, dir: &Path) -> Result<(), String> {
    if !present("mosquitto", "-h") {
        return Err("mosquitto is needed (apt-get install mosquitto; .ci/run installs it)".into());
    }
    let conf = dir.join("mosquitto.conf");
    std::fs::write(&conf, "listener 1883 192.0.2.1\nallow_anonymous true\n").map_err(|e| e.to_string())?;
    let _broker = spawn_in(NETNS.as_str(), &["mosquitto", "-v", "-c", &conf.to_string_lossy()], &dir.join("mosquitto.log"))?;
    usocket_netns::wait_listening(NETNS.as_str(), "192.0.2.1:1883".parse().map_err(|e| format!("{e}"))?, crate::suites::dhcp::SERVER_START)?;
    for (package, which) in UMQTT.iter().zip(["simple", "simple2"]) {
        let lib = package.fetch()?;
        client(ours, &[&lib], "mqtt_client.py", &[which, "192.0.2.1"])?;
        progress!("==> {} on our TAP board against mosquitto: 52 QoS 0/1 messages and a 20 kB one, back in order", package.file);
    }
    Ok(())
}

/// The libraries test: microdot, requests, umqtt.simple(2) on our interpreter
/// (checks), and the req/s of ours and stock's serving microdot under the same load.
pub fn run(ours: &Path) -> Result<(), String> {
    if usocket_netns::skip_unless_root("libraries (microdot)", "a network namespace and a TAP device") {
        return Ok(());
    }
    if !present("curl", "--version") || !present("ab", "-V") {
        return Err("curl and ab are needed (apt-get install curl apache2-utils; .ci/run installs them)".into());
    }
    let stock = crate::lab::micropython::build_stock(None)?;
    let microdot = MICRODOT.fetch()?;
    let dir = crate::root().join("target/libraries");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let _ns = Netns::with_tap(crate::exec::captured, NETNS.as_str(), "192.0.2.1/24", None)?;
    requests(ours, &dir)?;
    mqtt(ours, &dir)?;
    let ours_rps = {
        let base = format!("http://192.0.2.2:{PORT}");
        let _server = serve(ours, &BOARD_ENV, &microdot, &format!("{base}/"), &dir.join("ours.log"))?;
        fetches(&base, &dir)?;
        load(&format!("{base}/"))?
    };
    let stock_rps = {
        let base = format!("http://192.0.2.1:{PORT}");
        let _server = serve(&stock, &[], &microdot, &format!("{base}/"), &dir.join("stock.log"))?;
        load(&format!("{base}/"))?
    };
    println!(
        "==> {} ab -n {AB_REQUESTS} -c {AB_CONCURRENCY}, 0 failed: ours (TAP board) {ours_rps:.0} req/s, stock (kernel) {stock_rps:.0} req/s, ours/stock {:.2}",
        MICRODOT.file,
        ours_rps / stock_rps
    );
    Ok(())
}
