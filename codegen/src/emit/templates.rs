//! The minijinja environment every template-based emitter renders with:
//! strict undefined values, no auto-escaping, block tags on their own lines.

use minijinja::syntax::SyntaxConfig;
use minijinja::value::Serde;
use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

/// Templates, by name, embedded at build time.
const TEMPLATES: [(&str, &str); 18] = [
    ("usocket.h.j2", include_str!("../../templates/usocket.h.j2")),
    ("modusocket.c.j2", include_str!("../../templates/modusocket.c.j2")),
    ("micropython.mk.j2", include_str!("../../templates/micropython.mk.j2")),
    ("micropython.cmake.j2", include_str!("../../templates/micropython.cmake.j2")),
    ("usocket.md.j2", include_str!("../../templates/usocket.md.j2")),
    ("usocket.rst.j2", include_str!("../../templates/usocket.rst.j2")),
    ("socket.pyi.j2", include_str!("../../templates/socket.pyi.j2")),
    ("reexport.pyi.j2", include_str!("../../templates/reexport.pyi.j2")),
    ("interface.pyi.j2", include_str!("../../templates/interface.pyi.j2")),
    ("conformance.py.j2", include_str!("../../templates/conformance.py.j2")),
    ("cases.h.j2", include_str!("../../templates/cases.h.j2")),
    ("glue_method.c.j2", include_str!("../../templates/glue_method.c.j2")),
    ("glue_return.c.j2", include_str!("../../templates/glue_return.c.j2")),
    ("board.h.j2", include_str!("../../templates/board.h.j2")),
    ("board.md.j2", include_str!("../../templates/board.md.j2")),
    ("port.h.j2", include_str!("../../templates/port.h.j2")),
    ("bad_input.py.j2", include_str!("../../templates/bad_input.py.j2")),
    ("bad_input.c.j2", include_str!("../../templates/bad_input.c.j2")),
];

fn environment() -> Result<Environment<'static>, String> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    let syntax = SyntaxConfig::builder().trim_blocks(true).lstrip_blocks(true).keep_trailing_newline(true).build().map_err(|e| e.to_string())?;
    env.set_syntax(syntax);
    for (name, source) in TEMPLATES {
        env.add_template(name, source).map_err(|e| format!("template {name}: {e}"))?;
    }
    Ok(env)
}

/// Renders template `name` with a serializable context.
pub fn render<T: Serialize>(name: &str, ctx: &T) -> Result<String, String> {
    let env = environment()?;
    let template = env.get_template(name).map_err(|e| format!("template {name}: {e}"))?;
    template.render(Serde(ctx)).map_err(|e| format!("template {name}: {e:#}"))
}
