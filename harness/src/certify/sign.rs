//! Optional SSH signatures over a bundle's manifest, made and checked by `ssh-keygen -Y`.
//!
//! The manifest covers every other file, so signing it signs the bundle. `harness certify
//! --sign-key KEY` runs `ssh-keygen -Y sign -f KEY -n status-conformance-kit SHA256SUMS`, which
//! writes `SHA256SUMS.sig`; `harness verify --allowed-signers FILE` finds the signer's principal
//! in an OpenSSH allowed-signers file (`ssh-keygen -Y find-principals`) and checks the signature
//! (`ssh-keygen -Y verify`). Nothing is hand-rolled: OpenSSH (`openssh-client`) does the
//! cryptography.

use super::manifest::{MANIFEST_FILE, SIGNATURE_FILE};
use std::path::Path;
use std::process::{Command, Stdio};

/// The signature namespace (`-n`): a signature made for anything else does not verify here.
pub const NAMESPACE: &str = "status-conformance-kit";

/// Signs `dir/SHA256SUMS` with the SSH private key at `key`, writing `dir/SHA256SUMS.sig`.
pub fn sign(dir: &Path, key: &Path) -> Result<(), String> {
    let signature = dir.join(SIGNATURE_FILE);
    // ssh-keygen refuses to overwrite an existing signature.
    let _ = std::fs::remove_file(&signature);
    let output = Command::new("ssh-keygen")
        .args(["-q", "-Y", "sign", "-n", NAMESPACE, "-f"])
        .arg(key)
        .arg(dir.join(MANIFEST_FILE))
        .stdin(Stdio::null())
        .output()
        .map_err(not_found)?;
    if !output.status.success() || !signature.is_file() {
        return Err(format!(
            "ssh-keygen -Y sign with {} failed: {}",
            key.display(),
            last_line(&output.stderr)
        ));
    }
    Ok(())
}

/// Checks `dir/SHA256SUMS.sig` against the allowed-signers file; returns the signer's principal.
pub fn verify(dir: &Path, allowed_signers: &Path) -> Result<String, String> {
    let signature = dir.join(SIGNATURE_FILE);
    let found = Command::new("ssh-keygen")
        .args(["-Y", "find-principals", "-s"])
        .arg(&signature)
        .arg("-f")
        .arg(allowed_signers)
        .stdin(Stdio::null())
        .output()
        .map_err(not_found)?;
    let stdout = String::from_utf8_lossy(&found.stdout);
    let Some(principal) = stdout.lines().map(str::trim).find(|l| !l.is_empty()) else {
        return Err(format!(
            "{SIGNATURE_FILE} was not made by any key in {} ({})",
            allowed_signers.display(),
            last_line(&found.stderr)
        ));
    };
    let manifest = std::fs::File::open(dir.join(MANIFEST_FILE))
        .map_err(|e| format!("{MANIFEST_FILE} cannot be read: {e}"))?;
    let checked = Command::new("ssh-keygen")
        .args(["-Y", "verify", "-n", NAMESPACE, "-I", principal, "-f"])
        .arg(allowed_signers)
        .arg("-s")
        .arg(&signature)
        .stdin(manifest)
        .output()
        .map_err(not_found)?;
    if checked.status.success() {
        Ok(principal.to_owned())
    } else {
        Err(format!(
            "{SIGNATURE_FILE} does not verify for {principal}: {}",
            last_line(&checked.stderr)
        ))
    }
}

fn not_found(e: std::io::Error) -> String {
    format!(
        "cannot run ssh-keygen ({e}): install OpenSSH's client (Debian: apt-get install openssh-client)"
    )
}

fn last_line(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    text.lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .unwrap_or("no message")
        .to_owned()
}
