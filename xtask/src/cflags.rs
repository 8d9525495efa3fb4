//! The gcc flags the C programs of the tests share.

/// Warnings are errors for every C compile, with the generated headers on the path.
pub const WARNINGS: [&str; 4] = ["-Wall", "-Wextra", "-Werror", "-Igenerated/include"];

/// What a program linked against one of the runtime's static libraries needs
/// from the system (Rust's std and core link these).
pub const STATICLIB_LIBS: [&str; 3] = ["-lpthread", "-ldl", "-lm"];
