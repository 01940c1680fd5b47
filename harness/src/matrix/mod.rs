//! The conformance matrix: many runs on one page.
//!
//! `harness matrix` reads any number of `results.json` files (one per implementation, e.g. one
//! per SDK adapter) and writes one self-contained HTML page ([`html`]), the same table in
//! Markdown ([`markdown`]) and a shields.io endpoint badge per implementation ([`badge`]), in
//! the manner of bowtie's public report. Rows are implementations (name, version, language),
//! columns are profile × case kind (the result group: valid, invalid, probe, …), cells count
//! pass/fail/error/skip and link to that run's own `index.html`. A skip or an error is never
//! shown as a pass: see [`State`].

pub mod badge;
pub mod html;
pub mod markdown;
mod model;
mod write;

pub use badge::Badge;
pub use model::{
    Column, DIFFERS_SHOWN, DIFFERS_WIDTH, Matrix, Row, State, in_words, shorten, slugify,
};
pub use write::{
    BADGES_DIR, MATRIX_HTML, MATRIX_MD, MatrixError, WrittenMatrix, relative_href, write_matrix,
};
