//! The gcc flags the C programs of the tests share.

/// Warnings are errors for every C compile, with the generated headers on the
/// path. `-Wstrict-prototypes` (a `()` declaration takes any arguments) and
/// `-Wmissing-prototypes` (a global function no header declares) keep the
/// header's declarations complete for firmware built with them.
pub const WARNINGS: [&str; 6] = ["-Wall", "-Wextra", "-Werror", "-Wstrict-prototypes", "-Wmissing-prototypes", "-Igenerated/include"];

/// The same for a C++ compile (the header as C++), which has no prototype
/// warnings: C++ has no unprototyped declarations.
pub const CXX_WARNINGS: [&str; 4] = ["-Wall", "-Wextra", "-Werror", "-Igenerated/include"];

/// What a program linked against one of the runtime's static libraries needs
/// from the system (Rust's std and core link these).
pub const STATICLIB_LIBS: [&str; 3] = ["-lpthread", "-ldl", "-lm"];
