//! Finds where a field path such as `rows[3].task_states[1]` starts in a JSON text.
//!
//! `serde_json` forgets positions once a document is parsed, so `cases check` errors (which know
//! only the field path) ask this minimal tokenizer for the line and column to print. It walks
//! objects, arrays, strings (with escapes), numbers and literals, following only the path.

use std::fmt;
use std::iter::Peekable;
use std::str::Chars;

/// A 1-based line and column in a text; the column counts characters, not bytes.
///
/// # Examples
///
/// ```
/// use harness::case::Position;
///
/// // Arrange
/// let position = Position { line: 17, column: 17 };
///
/// // Act
/// let text = position.to_string();
///
/// // Assert
/// assert_eq!(text, "17:17");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Where the value at `path` starts in the JSON `text`, or `None` if the path is malformed, not
/// present, or the text is not JSON up to that point.
///
/// A path is object keys separated by `.`, each optionally followed by `[index]` (also allowed
/// at the start for a top-level array): `fallback`, `vm_states[2].name`, `rows[16].task_states[0]`.
/// The first of duplicate keys wins.
///
/// # Examples
///
/// ```
/// use harness::case::{Position, locate};
///
/// // Arrange
/// let text = "{\n  \"rows\": [\n    {\"status\": \"ON\"},\n    {\"status\": \"OFF\"}\n  ]\n}";
///
/// // Act
/// let position = locate(text, "rows[1].status");
///
/// // Assert
/// assert_eq!(position, Some(Position { line: 4, column: 16 }));
/// assert_eq!(locate(text, "rows[2].status"), None);
/// ```
pub fn locate(text: &str, path: &str) -> Option<Position> {
    let steps = parse_path(path)?;
    let mut scanner = Scanner {
        chars: text.chars().peekable(),
        line: 1,
        column: 1,
    };
    scanner.find(&steps)
}

/// One step of a field path.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// Splits `a.b[1][2].c` into steps; `None` if it is malformed.
fn parse_path(path: &str) -> Option<Vec<Step>> {
    let mut steps = Vec::new();
    for (n, part) in path.split('.').enumerate() {
        let (key, mut rest) = part.split_at(part.find('[').unwrap_or(part.len()));
        if key.is_empty() && (n > 0 || rest.is_empty()) {
            return None;
        }
        if !key.is_empty() {
            steps.push(Step::Key(key.to_owned()));
        }
        while !rest.is_empty() {
            let close = rest.find(']')?;
            steps.push(Step::Index(rest.get(1..close)?.parse().ok()?));
            rest = &rest[close + 1..];
            if !rest.is_empty() && !rest.starts_with('[') {
                return None;
            }
        }
    }
    Some(steps)
}

/// A character cursor that knows its line and column.
struct Scanner<'a> {
    chars: Peekable<Chars<'a>>,
    line: usize,
    column: usize,
}

impl Scanner<'_> {
    fn peek(&mut self) -> Option<char> {
        self.chars.peek().copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.bump();
        }
    }

    /// Consumes `c` (after whitespace), or fails.
    fn expect(&mut self, c: char) -> Option<()> {
        self.skip_whitespace();
        (self.bump()? == c).then_some(())
    }

    /// Positioned at a value: returns where the value at `steps` (relative to it) starts.
    fn find(&mut self, steps: &[Step]) -> Option<Position> {
        self.skip_whitespace();
        let Some((step, rest)) = steps.split_first() else {
            return Some(Position {
                line: self.line,
                column: self.column,
            });
        };
        match (self.bump()?, step) {
            ('{', Step::Key(wanted)) => {
                self.skip_whitespace();
                if self.peek() == Some('}') {
                    return None;
                }
                loop {
                    self.expect('"')?;
                    let key = self.string()?;
                    self.expect(':')?;
                    if key == *wanted {
                        return self.find(rest);
                    }
                    self.skip_value()?;
                    self.skip_whitespace();
                    if self.bump()? != ',' {
                        return None;
                    }
                }
            }
            ('[', Step::Index(wanted)) => {
                self.skip_whitespace();
                if self.peek() == Some(']') {
                    return None;
                }
                for _ in 0..*wanted {
                    self.skip_value()?;
                    self.skip_whitespace();
                    if self.bump()? != ',' {
                        return None;
                    }
                }
                self.find(rest)
            }
            _ => None,
        }
    }

    /// After the opening quote: reads the rest of a string, decoding escapes.
    fn string(&mut self) -> Option<String> {
        let mut units: Vec<u16> = Vec::new();
        loop {
            match self.bump()? {
                '"' => return Some(String::from_utf16_lossy(&units)),
                '\\' => {
                    let decoded = match self.bump()? {
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        'b' => '\u{8}',
                        'f' => '\u{c}',
                        'u' => {
                            let hex: String = (0..4).map(|_| self.bump()).collect::<Option<_>>()?;
                            units.push(u16::from_str_radix(&hex, 16).ok()?);
                            continue;
                        }
                        other => other,
                    };
                    units.extend(decoded.encode_utf16(&mut [0; 2]).iter());
                }
                c => units.extend(c.encode_utf16(&mut [0; 2]).iter()),
            }
        }
    }

    /// Consumes one value of any kind.
    fn skip_value(&mut self) -> Option<()> {
        self.skip_whitespace();
        match self.bump()? {
            '"' => self.string().map(drop),
            open @ ('{' | '[') => {
                let close = if open == '{' { '}' } else { ']' };
                self.skip_whitespace();
                if self.peek() == Some(close) {
                    self.bump();
                    return Some(());
                }
                loop {
                    if open == '{' {
                        self.expect('"')?;
                        self.string()?;
                        self.expect(':')?;
                    }
                    self.skip_value()?;
                    self.skip_whitespace();
                    match self.bump()? {
                        ',' => {}
                        c if c == close => return Some(()),
                        _ => return None,
                    }
                }
            }
            // Numbers and literals: a run of characters that cannot end a value.
            c if c == '-' || c.is_ascii_alphanumeric() => {
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-'))
                {
                    self.bump();
                }
                Some(())
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: usize, column: usize) -> Option<Position> {
        Some(Position { line, column })
    }

    #[test]
    fn top_level_key_is_found_at_its_value() {
        let text = "{\n  \"format_version\": 1,\n  \"fallback\": \"unknown\"\n}";
        assert_eq!(locate(text, "fallback"), at(3, 15));
        assert_eq!(locate(text, "format_version"), at(2, 21));
    }

    #[test]
    fn nested_arrays_are_indexed_past_earlier_elements() {
        let text = "{\"rows\": [\n  {\"task_states\": [[1, [2]], {\"a\": [3]}, null]},\n  {\"task_states\": [\"x\",\n   \"y\"]}\n]}";
        assert_eq!(locate(text, "rows[0].task_states[1]"), at(2, 30));
        assert_eq!(locate(text, "rows[0].task_states[2]"), at(2, 42));
        assert_eq!(locate(text, "rows[1].task_states[1]"), at(4, 4));
        assert_eq!(locate(text, "rows[0].task_states[0][1][0]"), at(2, 25));
    }

    #[test]
    fn strings_with_brackets_quotes_and_escapes_do_not_confuse_the_scan() {
        let text = r#"{"notes": "a [\"b\", {c}] \\", "x\"y": 1, "s\u0074atus": [null, "]", -1.5e+3, true], "end": false}"#;
        assert_eq!(locate(text, "status[0]"), at(1, 59));
        assert_eq!(locate(text, "status[1]"), at(1, 65));
        assert_eq!(locate(text, "status[3]"), at(1, 79));
        assert_eq!(locate(text, "end"), at(1, 93));
        assert_eq!(locate(text, "x\"y"), at(1, 40), "keys are compared decoded");
    }

    #[test]
    fn null_elements_are_located_like_any_value() {
        let text = "[null, null,\n\tnull]";
        assert_eq!(locate(text, "[2]"), at(2, 2));
        assert_eq!(locate(text, "[0]"), at(1, 2));
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "{\"title\": \"é–ü\", \"name\": \"n\"}";
        assert_eq!(locate(text, "name"), at(1, 26));
    }

    #[test]
    fn missing_paths_give_none() {
        let text = "{\"rows\": [{\"status\": \"ON\"}], \"empty\": [], \"obj\": {}}";
        assert_eq!(locate(text, "rows[1]"), None);
        assert_eq!(locate(text, "rows[0].vm_state"), None);
        assert_eq!(locate(text, "rows.status"), None);
        assert_eq!(locate(text, "empty[0]"), None);
        assert_eq!(locate(text, "obj.x"), None);
        assert_eq!(locate(text, "nothing"), None);
        assert_eq!(locate("{\"rows\": [", "rows[0]"), at(1, 11));
        assert_eq!(locate("{\"rows\": [1", "rows[1]"), None);
    }

    #[test]
    fn malformed_paths_give_none() {
        let text = "{\"rows\": [1]}";
        for path in [
            "", "rows[", "rows[x]", "rows[0]x", ".rows", "rows..x", "rows[-1]",
        ] {
            assert_eq!(locate(text, path), None, "{path:?}");
        }
    }

    #[test]
    fn path_steps_split_keys_and_indexes() {
        assert_eq!(
            parse_path("rows[16].task_states[0]"),
            Some(vec![
                Step::Key("rows".to_owned()),
                Step::Index(16),
                Step::Key("task_states".to_owned()),
                Step::Index(0),
            ])
        );
        assert_eq!(
            parse_path("[1][2]"),
            Some(vec![Step::Index(1), Step::Index(2)])
        );
    }
}
