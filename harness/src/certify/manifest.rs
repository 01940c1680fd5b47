//! `SHA256SUMS`: the SHA-256 of every file of a bundle, in `sha256sum` format.
//!
//! One line per file, `<64 hex>  <name>`, sorted by name, so a reviewer without the harness can
//! check it with `sha256sum -c SHA256SUMS`. The manifest lists every file of the bundle except
//! itself and its signature ([`SIGNATURE_FILE`]); a bundle is flat (no sub-directories).

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::Path;

/// The manifest's file name.
pub const MANIFEST_FILE: &str = "SHA256SUMS";
/// The file name of the manifest's SSH signature (`ssh-keygen -Y sign` output).
pub const SIGNATURE_FILE: &str = "SHA256SUMS.sig";

/// The SHA-256 of a file, as lower-case hex.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = [0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

/// Lower-case hex of bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The files of a bundle directory the manifest must cover: every entry but the manifest and its
/// signature, by name. A sub-directory or a non-UTF-8 name is an error naming it.
pub fn bundle_files(dir: &Path) -> Result<Vec<String>, String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
        let name = entry.file_name().into_string().map_err(|n| {
            format!(
                "{} has a file whose name is not UTF-8: {n:?}",
                dir.display()
            )
        })?;
        if name == MANIFEST_FILE || name == SIGNATURE_FILE {
            continue;
        }
        if !entry.path().is_file() {
            return Err(format!(
                "{name} is not a regular file (a bundle is one flat folder)"
            ));
        }
        names.push(name);
    }
    names.sort();
    Ok(names)
}

/// Hashes every file of `dir` and writes `dir/SHA256SUMS`; returns its text.
///
/// # Examples
///
/// ```
/// use harness::certify::manifest::{check_manifest, write_manifest};
///
/// // Arrange
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::write(dir.path().join("a.txt"), "hello\n").unwrap();
///
/// // Act
/// let text = write_manifest(dir.path()).unwrap();
///
/// // Assert
/// assert_eq!(text, "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03  a.txt\n");
/// assert_eq!(check_manifest(dir.path()), Ok(1));
/// ```
pub fn write_manifest(dir: &Path) -> Result<String, String> {
    let mut text = String::new();
    for name in bundle_files(dir)? {
        let digest =
            sha256_file(&dir.join(&name)).map_err(|e| format!("cannot read {name}: {e}"))?;
        text.push_str(&format!("{digest}  {name}\n"));
    }
    std::fs::write(dir.join(MANIFEST_FILE), &text)
        .map_err(|e| format!("cannot write {}: {e}", dir.join(MANIFEST_FILE).display()))?;
    Ok(text)
}

/// Parses manifest text into name → hex digest, refusing malformed lines, unsafe names and
/// repeated names (each error names the line).
pub fn parse_manifest(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut entries = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let Some((digest, name)) = line.split_once("  ") else {
            return Err(format!(
                "{MANIFEST_FILE} line {n}: expected `<sha256>  <file>`"
            ));
        };
        if digest.len() != 64
            || !digest
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(format!(
                "{MANIFEST_FILE} line {n}: `{digest}` is not a lower-case SHA-256"
            ));
        }
        if name.is_empty()
            || name.contains('/')
            || name.contains('\\')
            || name == "."
            || name == ".."
        {
            return Err(format!(
                "{MANIFEST_FILE} line {n}: `{name}` is not a file name of the bundle"
            ));
        }
        if entries.insert(name.to_owned(), digest.to_owned()).is_some() {
            return Err(format!(
                "{MANIFEST_FILE} line {n}: `{name}` is listed twice"
            ));
        }
    }
    Ok(entries)
}

/// Checks `dir/SHA256SUMS` against the files: every listed file exists with that hash and every
/// file is listed. Returns how many files it covers, or every problem found, one per entry.
pub fn check_manifest(dir: &Path) -> Result<usize, Vec<String>> {
    let path = dir.join(MANIFEST_FILE);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| vec![format!("{MANIFEST_FILE} cannot be read: {e}")])?;
    let entries = parse_manifest(&text).map_err(|e| vec![e])?;
    let files = bundle_files(dir).map_err(|e| vec![e])?;
    let mut problems = Vec::new();
    for (name, want) in &entries {
        match sha256_file(&dir.join(name)) {
            Ok(got) if &got == want => {}
            Ok(got) => problems.push(format!(
                "{name} was changed after hashing (sha256 {got}, manifest says {want})"
            )),
            Err(e) => problems.push(format!("{name} is listed but cannot be read: {e}")),
        }
    }
    for name in &files {
        if !entries.contains_key(name) {
            problems.push(format!(
                "{name} is not in {MANIFEST_FILE} (added after hashing)"
            ));
        }
    }
    if problems.is_empty() {
        Ok(entries.len())
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("a temp dir");
        std::fs::write(dir.path().join("a.txt"), "a").expect("writable");
        std::fs::write(dir.path().join("b.txt"), "b").expect("writable");
        write_manifest(dir.path()).expect("hashable");
        dir
    }

    #[test]
    fn an_edited_an_added_and_a_removed_file_are_each_named() {
        let dir = bundle();
        std::fs::write(dir.path().join("a.txt"), "A").expect("writable");
        std::fs::write(dir.path().join("c.txt"), "c").expect("writable");
        std::fs::remove_file(dir.path().join("b.txt")).expect("removable");

        let problems = check_manifest(dir.path()).expect_err("tampered");

        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].starts_with("a.txt was changed after hashing (sha256 559aead08264d5795d3909718cdd05abd49572e84fe55590eef31a88a08fdffd, manifest says ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb)"), "{problems:?}");
        assert!(
            problems[1].starts_with("b.txt is listed but cannot be read: "),
            "{problems:?}"
        );
        assert_eq!(
            problems[2],
            "c.txt is not in SHA256SUMS (added after hashing)"
        );
    }

    #[test]
    fn malformed_lines_are_refused_by_line_number() {
        let good = "a".repeat(64);
        let rows = [
            (
                format!("{good} a.txt\n"),
                "SHA256SUMS line 1: expected `<sha256>  <file>`",
            ),
            (
                format!("{good}  ../x\n"),
                "SHA256SUMS line 1: `../x` is not a file name of the bundle",
            ),
            (
                format!("{good}  a\n{good}  a\n"),
                "SHA256SUMS line 2: `a` is listed twice",
            ),
            (
                "XYZ  a\n".to_owned(),
                "SHA256SUMS line 1: `XYZ` is not a lower-case SHA-256",
            ),
        ];
        for (text, want) in rows {
            assert_eq!(parse_manifest(&text), Err(want.to_owned()));
        }
    }

    #[test]
    fn the_signature_is_not_part_of_the_manifest() {
        let dir = bundle();
        std::fs::write(dir.path().join(SIGNATURE_FILE), "sig").expect("writable");
        assert_eq!(check_manifest(dir.path()), Ok(2));
    }
}
