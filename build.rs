//! Link flags for the `headroom` binary.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if relr_loads_here() {
        // Pack the position-independent binary's relative relocations (DT_RELR): the
        // 1.9 MB table the loader reads at every start shrinks to 30 KB, 8% of an
        // ingest's peak memory, and address randomisation stays. Only where the C
        // library can load such a binary (glibc 2.36 and later): elsewhere the linker
        // would still mark it, and it would not start.
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

/// Building for this very machine, on Linux with a glibc that loads DT_RELR binaries.
fn relr_loads_here() -> bool {
    let var = |name| std::env::var(name).unwrap_or_default();
    if var("CARGO_CFG_TARGET_OS") != "linux"
        || var("CARGO_CFG_TARGET_ENV") != "gnu"
        || var("HOST") != var("TARGET")
    {
        return false;
    }
    // "glibc 2.36"
    let Ok(out) = Command::new("getconf").arg("GNU_LIBC_VERSION").output() else {
        return false;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let version: Vec<u32> = text
        .trim()
        .trim_start_matches("glibc ")
        .split('.')
        .map_while(|n| n.parse().ok())
        .collect();
    matches!(version.as_slice(), [major, minor, ..] if (*major, *minor) >= (2, 36))
}
