//! YAML errors in words: the one place a `serde_saphyr` error becomes the plain message the
//! harness quotes (PRODUCT.yaml, clouds.yaml), its location left to the caller.

/// The first line of `err`'s plain rendering (no source snippet), without the trailing
/// ` at line L, column C`: callers report the location themselves.
pub(crate) fn plain_message(err: &serde_saphyr::Error) -> String {
    let plain = err.render_with_options(serde_saphyr::render_options! {
        snippets: serde_saphyr::SnippetMode::Off,
    });
    let first_line = plain.lines().next().unwrap_or_default();
    first_line
        .rsplit_once(" at line ")
        .map_or(first_line, |(head, _)| head)
        .to_owned()
}
