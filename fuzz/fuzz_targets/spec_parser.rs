//! The spec parser never panics: any text, alone or in place of one of the
//! real files (chosen by the first byte), gives a spec or diagnostics. (The emitters run on every spec the codegen tests load; here
//! they would cost 100 ms per input.)

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

/// The real spec files as (display path, text).
fn real_spec() -> &'static [(String, String)] {
    static SPEC: OnceLock<Vec<(String, String)>> = OnceLock::new();
    SPEC.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
        let mut texts = usocket_codegen::toml_texts(&dir, "spec").expect("the spec files");
        texts.extend(usocket_codegen::toml_texts(&dir.join("boards"), "spec/boards").expect("the board files"));
        texts
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest).into_owned();
    // Even first bytes replace a real file (mutating real content); odd ones
    // validate the text alone (fast: what it lacks is reported too).
    let texts = if first % 2 == 0 {
        let mut texts = real_spec().to_vec();
        let i = usize::from(first / 2) % texts.len();
        texts[i].1 = text;
        texts
    } else {
        vec![("spec/fuzz.toml".to_string(), text)]
    };
    let _ = usocket_codegen::load_texts(texts);
});
