//! What `cargo xtask install` writes besides the headers and the library: a
//! pkg-config file and a CMake package config (with its version file), all
//! three rendered here from one [`Package`], so the link line cannot differ
//! between them. Every file is relocatable: paths are relative to where it
//! lies (`${pcfiledir}`, `CMAKE_CURRENT_LIST_DIR`), so a prefix can be copied
//! into an SDK or a firmware tree as it is.

use usocket_codegen::naming::Names;

/// One installed library: what a consumer's build needs to know to link it.
pub struct Package<'a> {
    /// The spec's names (package name, CMake target).
    pub names: &'a Names,
    /// The crate's version (`cargo pkgid`).
    pub version: &'a str,
    /// One line: which library this is.
    pub description: String,
    /// The library's name for `-l` (`usocket_host` for `lib/libusocket_host.a`).
    pub link_name: &'a str,
    /// System libraries a program linking the static library needs (`-lpthread`, ...).
    pub private_libs: &'a [&'a str],
    /// Compiler flags the library was built for (a firmware target's `-mcpu`, ...); informational.
    pub target_cflags: &'a [&'a str],
}

/// The files of a package, relative to the prefix, with their text.
pub fn files(p: &Package) -> [(String, String); 3] {
    let name = p.names.package();
    [
        (format!("lib/pkgconfig/{name}.pc"), pkg_config(p)),
        (format!("lib/cmake/{name}/{name}Config.cmake"), cmake_config(p)),
        (format!("lib/cmake/{name}/{name}ConfigVersion.cmake"), cmake_version(p)),
    ]
}

/// The first line of each file.
fn banner(p: &Package) -> String {
    format!("# Written by cargo xtask install: {} {}, {}.", p.names.package(), p.version, p.description)
}

/// `lib/pkgconfig/<name>.pc`.
fn pkg_config(p: &Package) -> String {
    format!(
        "{banner}
prefix=${{pcfiledir}}/../..
includedir=${{prefix}}/include
libdir=${{prefix}}/lib
target_cflags={target}

Name: {name}
Description: {description}
Version: {version}
Cflags: -I${{includedir}}
Libs: -L${{libdir}} -l{link}
Libs.private: {private}
",
        banner = banner(p),
        target = p.target_cflags.join(" "),
        name = p.names.package(),
        description = p.description,
        version = p.version,
        link = p.link_name,
        private = p.private_libs.join(" "),
    )
}

/// `lib/cmake/<name>/<name>Config.cmake`: the imported target.
fn cmake_config(p: &Package) -> String {
    let var = p.names.package();
    let libs: Vec<&str> = p.private_libs.iter().map(|l| l.strip_prefix("-l").unwrap_or(l)).collect();
    format!(
        "{banner}
get_filename_component(_{var}_prefix \"${{CMAKE_CURRENT_LIST_DIR}}/../../..\" ABSOLUTE)
set({var}_VERSION \"{version}\")
set({var}_TARGET_CFLAGS \"{target}\")
if(NOT TARGET {target_name})
    add_library({target_name} STATIC IMPORTED)
    set_target_properties({target_name} PROPERTIES
        IMPORTED_LOCATION \"${{_{var}_prefix}}/lib/lib{link}.a\"
        INTERFACE_INCLUDE_DIRECTORIES \"${{_{var}_prefix}}/include\"
        INTERFACE_LINK_LIBRARIES \"{libs}\")
endif()
unset(_{var}_prefix)
",
        banner = banner(p),
        version = p.version,
        target = p.target_cflags.join(" "),
        target_name = p.names.cmake_target(),
        link = p.link_name,
        libs = libs.join(";"),
    )
}

/// `lib/cmake/<name>/<name>ConfigVersion.cmake`: Cargo's compatibility rule
/// for `find_package(<name> X.Y)`: not newer than asked, the same major
/// version, and below 1.0 the same minor.
fn cmake_version(p: &Package) -> String {
    let mut parts = p.version.split('.').map(|n| n.parse::<u64>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    let minor_rule = if major == 0 { format!(" OR NOT PACKAGE_FIND_VERSION_MINOR EQUAL {minor}") } else { String::new() };
    format!(
        "{banner}
set(PACKAGE_VERSION \"{version}\")
if(NOT PACKAGE_FIND_VERSION)
    set(PACKAGE_VERSION_COMPATIBLE TRUE)
elseif(PACKAGE_FIND_VERSION VERSION_GREATER PACKAGE_VERSION OR NOT PACKAGE_FIND_VERSION_MAJOR EQUAL {major}{minor_rule})
    set(PACKAGE_VERSION_COMPATIBLE FALSE)
else()
    set(PACKAGE_VERSION_COMPATIBLE TRUE)
    if(PACKAGE_FIND_VERSION VERSION_EQUAL PACKAGE_VERSION)
        set(PACKAGE_VERSION_EXACT TRUE)
    endif()
endif()
",
        banner = banner(p),
        version = p.version,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_build_systems_get_the_same_library_and_system_libraries() {
        let spec = usocket_codegen::load_spec(&usocket_harness::root().join("spec"), "spec").expect("the spec loads");
        let names = Names::new(&spec.module);
        let p = Package {
            names: &names,
            version: "0.3.1",
            description: "a test".into(),
            link_name: "usocket_host",
            private_libs: &["-lpthread", "-lm"],
            target_cflags: &[],
        };
        let [(pc_path, pc), (config_path, config), (version_path, version)] = files(&p);
        assert_eq!(
            [pc_path.as_str(), config_path.as_str(), version_path.as_str()],
            ["lib/pkgconfig/usocket.pc", "lib/cmake/usocket/usocketConfig.cmake", "lib/cmake/usocket/usocketConfigVersion.cmake"]
        );
        assert!(pc.contains("\nLibs: -L${libdir} -lusocket_host\nLibs.private: -lpthread -lm\n"), "{pc}");
        assert!(pc.contains("\nVersion: 0.3.1\n"), "{pc}");
        assert!(config.contains("/lib/libusocket_host.a\"") && config.contains("INTERFACE_LINK_LIBRARIES \"pthread;m\""), "{config}");
        assert!(config.contains("add_library(usocket::usocket STATIC IMPORTED)"), "{config}");
        // Below 1.0 a minor version is a major one.
        assert!(version.contains("NOT PACKAGE_FIND_VERSION_MAJOR EQUAL 0 OR NOT PACKAGE_FIND_VERSION_MINOR EQUAL 3)"), "{version}");
    }
}
