//! Debian packages through apt with a private source list: the archive comes
//! from the machine's own apt configuration, the lists live in a cache under
//! `target/` (the system's apt state is not touched), and every downloaded
//! file is checked against a SHA-256 pinned in the code that asks for it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::exec::step;
use crate::verbosity::progress;

/// The machine's apt configuration, which names the Debian archive.
const APT_SOURCES: &str = "/etc/apt/sources.list.d/debian.sources";

/// A file's SHA-256 in hex, or None when it cannot be read.
pub fn sha256(path: &Path) -> Option<String> {
    let out = crate::exec::captured(Command::new("sha256sum").arg(path)).ok()?;
    String::from_utf8(out.stdout).ok()?.split_whitespace().next().map(str::to_string)
}

/// Whether `path` exists with the SHA-256 `sum`.
pub fn pinned(path: &Path, sum: &str) -> bool {
    sha256(path).as_deref() == Some(sum)
}

/// The first archive URI of the machine's apt configuration.
fn archive_uri() -> Result<String, String> {
    let sources = fs::read_to_string(APT_SOURCES).map_err(|e| format!("apt configuration {APT_SOURCES}: {e}"))?;
    sources
        .lines()
        .find_map(|l| l.strip_prefix("URIs:"))
        .and_then(|u| u.split_whitespace().next())
        .map(str::to_string)
        .ok_or_else(|| format!("no URIs: line in {APT_SOURCES}"))
}

/// apt-get with one private source line, its lists in `cache/lists`.
pub struct Apt {
    cache: PathBuf,
    opts: Vec<String>,
}

impl Apt {
    /// A private apt for `kind` (`deb` or `deb-src`) packages of the `main`
    /// component of `suite` (one suite, or several separated by spaces: one
    /// source line each), with fresh lists (`apt-get update`).
    pub fn new(cache: &Path, kind: &str, suite: &str) -> Result<Apt, String> {
        fs::create_dir_all(cache.join("lists/partial")).map_err(|e| format!("{}: {e}", cache.display()))?;
        let list = cache.join(format!("{kind}-{}.list", suite.replace(' ', "+")));
        let uri = archive_uri()?;
        let lines: String = suite.split_whitespace().map(|s| format!("{kind} {uri} {s} main\n")).collect();
        fs::write(&list, lines).map_err(|e| format!("{}: {e}", list.display()))?;
        let opts = vec![
            format!("-oDir::Etc::SourceList={}", list.display()),
            "-oDir::Etc::SourceParts=/dev/null".to_string(),
            format!("-oDir::State::Lists={}", cache.join("lists").display()),
        ];
        let apt = Apt { cache: cache.to_path_buf(), opts };
        let args: Vec<&str> = apt.opts.iter().map(String::as_str).chain(["-q", "update"]).collect();
        step(&format!("apt lists ({kind} {suite})"), "apt-get", &args)?;
        Ok(apt)
    }

    /// Runs `apt-get <args>` in the cache directory (downloads land there).
    pub fn get(&self, args: &[&str]) -> Result<(), String> {
        progress!("==> apt-get {} (in {})", args.join(" "), self.cache.display());
        let status =
            crate::exec::status(Command::new("apt-get").args(&self.opts).arg("-q").args(args).current_dir(&self.cache)).map_err(|e| format!("apt-get: {e}"))?;
        if status.success() { Ok(()) } else { Err(format!("apt-get {} failed ({status})", args.join(" "))) }
    }
}

/// A Debian source package pinned by its files (the .dsc first) and their SHA-256 sums.
pub struct SourcePackage {
    /// The package's name (`apt-get source NAME`).
    pub name: &'static str,
    /// The suite its `deb-src` line names, or several separated by spaces
    /// (apt takes the pinned version from whichever still has it).
    pub suite: &'static str,
    /// The .dsc (`NAME_VERSION.dsc`: apt fetches that version), then the tarballs, each with its SHA-256.
    pub files: &'static [(&'static str, &'static str)],
}

impl SourcePackage {
    /// Downloads the package once into `cache` (checking every file's sum)
    /// and unpacks it into `tree` unless `tree/marker` is there already.
    pub fn unpack(&self, cache: &Path, tree: &Path, marker: &str) -> Result<PathBuf, String> {
        if tree.join(marker).exists() {
            return Ok(tree.to_path_buf());
        }
        let all_pinned = || self.files.iter().all(|(f, sum)| pinned(&cache.join(f), sum));
        if !all_pinned() {
            // The version of the pinned .dsc, so that a newer upload to the suite is not what comes.
            let dsc = self.files[0].0;
            let version = dsc
                .strip_prefix(&format!("{}_", self.name))
                .and_then(|v| v.strip_suffix(".dsc"))
                .ok_or_else(|| format!("{dsc}: not {}_VERSION.dsc", self.name))?;
            Apt::new(cache, "deb-src", self.suite)?.get(&["source", "--download-only", &format!("{}={version}", self.name)])?;
            if !all_pinned() {
                return Err(format!("the downloaded {} source does not match the pinned SHA-256 sums", self.name));
            }
        }
        let _ = fs::remove_dir_all(tree);
        let dsc = cache.join(self.files[0].0);
        step(&format!("unpack {} source", self.name), "dpkg-source", &["-x", &dsc.to_string_lossy(), &tree.to_string_lossy()])?;
        Ok(tree.to_path_buf())
    }
}
