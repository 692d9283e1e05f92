//! Writes the Anchor IDL of both programs (`idl/options_amm.json`,
//! `idl/spot_venue.json`) for TypeScript clients, explorers and indexers,
//! the way `anchor idl build` does (compiling each program with its
//! `idl-build` feature and assembling what that prints), without the Anchor
//! CLI. Usage: cargo run -p options-amm-tests --bin idl [-- --check]
//! (--check: exit 1 if a checked-in file differs from a fresh build).
use anchor_lang_idl::build::IdlBuilder;
use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let check = std::env::args().any(|a| a == "--check");
    // anchor-lang-idl 0.1.4 reads RUSTUP_TOOLCHAIN (which `cargo run` sets)
    // to run `rustup toolchain install` and then passes a malformed
    // `+{toolchain}` to cargo; without it the builder runs the `cargo` on
    // PATH, i.e. this same toolchain
    std::env::remove_var("RUSTUP_TOOLCHAIN");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize()?;
    let out = root.join("idl");
    std::fs::create_dir_all(&out)?;
    let mut stale = Vec::new();
    for (dir, name) in [("programs/options-amm", "options_amm"), ("programs/spot-venue", "spot_venue")] {
        eprintln!("idl: building {dir} with its idl-build feature");
        let idl = IdlBuilder::new().program_path(root.join(dir)).build()?;
        let json = serde_json::to_string_pretty(&idl)? + "\n";
        let path = out.join(format!("{name}.json"));
        if check {
            if std::fs::read_to_string(&path).ok().as_deref() != Some(json.as_str()) {
                stale.push(path.display().to_string());
            }
        } else {
            std::fs::write(&path, json)?;
            eprintln!(
                "idl: wrote {} ({} instructions, {} accounts, {} events, {} errors)",
                path.display(),
                idl.instructions.len(),
                idl.accounts.len(),
                idl.events.len(),
                idl.errors.len()
            );
        }
    }
    if !stale.is_empty() {
        anyhow::bail!("stale IDL: {} (regenerate: cargo run -p options-amm-tests --bin idl)", stale.join(", "));
    }
    Ok(())
}
