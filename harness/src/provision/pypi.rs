//! Pure-Python packages from PyPI, by name, pinned by file and SHA-256, cached
//! under `target/pypi/`: the file is found through PyPI's simple index (PEP
//! 503), downloaded with curl, checked against the pin and unpacked (a wheel
//! or an sdist). MicroPython libraries ship as either.

use std::path::PathBuf;

use crate::exec::output;

/// One release file of a PyPI project.
pub struct Package {
    /// The project's name on PyPI.
    pub project: &'static str,
    /// The release file (`NAME-VERSION-py3-none-any.whl` or `NAME-VERSION.tar.gz`).
    pub file: &'static str,
    /// Its SHA-256.
    pub sha256: &'static str,
}

impl Package {
    /// The unpacked package: `target/pypi/FILE/` (an sdist's one top folder
    /// inside it), fetched the first time.
    pub fn fetch(&self) -> Result<PathBuf, String> {
        let root = crate::root().join("target/pypi");
        let dir = root.join(format!("{}.d", self.file));
        if !dir.is_dir() {
            std::fs::create_dir_all(&root).map_err(|e| format!("{}: {e}", root.display()))?;
            let archive = root.join(self.file);
            if crate::provision::debian::sha256(&archive).as_deref() != Some(self.sha256) {
                let index = output("curl", &["-sSf", "-m", "60", &format!("https://pypi.org/simple/{}/", self.project)])?;
                let url = index
                    .split("href=\"")
                    .filter_map(|h| h.split('"').next())
                    .find(|h| h.split('#').next().is_some_and(|u| u.ends_with(&format!("/{}", self.file))))
                    .ok_or_else(|| format!("{} is not in PyPI's index of {}", self.file, self.project))?;
                let url = url.split('#').next().unwrap_or(url);
                output("curl", &["-sSfL", "-m", "120", "-o", &archive.to_string_lossy(), url])?;
                let got = crate::provision::debian::sha256(&archive).unwrap_or_default();
                if got != self.sha256 {
                    let _ = std::fs::remove_file(&archive);
                    return Err(format!("{}: SHA-256 {got}, pinned {}", self.file, self.sha256));
                }
            }
            let part = root.join(format!("{}.part", self.file));
            let _ = std::fs::remove_dir_all(&part);
            std::fs::create_dir_all(&part).map_err(|e| e.to_string())?;
            if self.file.ends_with(".whl") {
                output("python3", &["-m", "zipfile", "-e", &archive.to_string_lossy(), &part.to_string_lossy()])?;
            } else {
                output("tar", &["-xzf", &archive.to_string_lossy(), "-C", &part.to_string_lossy()])?;
            }
            std::fs::rename(&part, &dir).map_err(|e| e.to_string())?;
        }
        if self.file.ends_with(".whl") {
            return Ok(dir);
        }
        Ok(dir.join(self.file.trim_end_matches(".tar.gz")))
    }
}
