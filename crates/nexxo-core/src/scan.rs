//! Import scanning for JS, TS, JSX, TSX and CSS without a full parser.
//!
//! The scanner lexes just enough to know where strings, template literals, comments, regular
//! expressions and JSX text are, so that `import`/`export ... from`/`import()`/`require()` and
//! `import.meta.hot` are found only where they are code. It keeps every nesting level on an explicit
//! stack (no recursion), so pathological nesting costs memory, never the call stack. Offsets are
//! UTF-8 byte offsets into the source; the TypeScript facade converts them to UTF-16 in one place.

use crate::json::Json;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Js,
    Jsx,
    Ts,
    Tsx,
    Css,
}

impl Lang {
    pub fn from_name(name: &str) -> Option<Lang> {
        Some(match name {
            "js" | "mjs" | "cjs" => Lang::Js,
            "jsx" => Lang::Jsx,
            "ts" | "mts" | "cts" => Lang::Ts,
            "tsx" => Lang::Tsx,
            "css" => Lang::Css,
            _ => return None,
        })
    }

    /// The language a file's extension implies, if Nexxo scans that kind of file.
    pub fn from_path(path: &str) -> Option<Lang> {
        let name = path.rsplit('/').next().unwrap_or(path);
        if name.ends_with(".d.ts") {
            return None;
        }
        name.rsplit_once('.')
            .and_then(|(_, ext)| Lang::from_name(ext))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportKind {
    /// `import x from 's'`, `import 's'`
    Static,
    /// `import('s')` with a string literal argument
    Dynamic,
    /// `export * from 's'`, `export { a } from 's'`
    ReExport,
    /// `require('s')`
    Require,
    /// CSS `@import 's'` / `@import url(s)`
    CssImport,
    /// CSS `url(s)` outside `@import`
    CssUrl,
    /// The automatic JSX runtime (`react/jsx-runtime`, or `<source>/jsx-runtime` under a
    /// `@jsxImportSource` pragma) that the engines import into a module with JSX. Its range is
    /// empty, at the module's first JSX element: there is no specifier text to point at.
    JsxRuntime,
}

impl ImportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Static => "static",
            ImportKind::Dynamic => "dynamic",
            ImportKind::ReExport => "reexport",
            ImportKind::Require => "require",
            ImportKind::CssImport => "css-import",
            ImportKind::CssUrl => "css-url",
            ImportKind::JsxRuntime => "jsx-runtime",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    pub specifier: String,
    pub kind: ImportKind,
    /// Byte range of the specifier's text in the source, quotes excluded.
    pub start: usize,
    pub end: usize,
    /// TypeScript `import type` / `export type ... from`: erased at compile time, not a runtime edge.
    pub type_only: bool,
}

/// What a module says about hot updates through `import.meta.hot`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HotInfo {
    pub uses_hot: bool,
    pub self_accepting: bool,
    pub accepted_deps: Vec<String>,
    pub declined: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scan {
    pub imports: Vec<Import>,
    pub hot: HotInfo,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanError {
    /// `UNTERMINATED`, `NOT_UTF8`, or `TOO_DEEP` (refused: the engines could overflow their stack).
    pub code: &'static str,
    pub message: String,
    pub offset: usize,
}

/// Native rolldown overflows its stack (a segfault that kills the process) near 2,000 nested
/// brackets and 5,000 chained operators; real code stays far below both. Half of each is refused.
pub const MAX_NESTING: usize = 512;
pub const MAX_OPERATOR_RUN: usize = 2048;

impl Scan {
    pub fn to_json(&self) -> Json {
        let imports = self
            .imports
            .iter()
            .map(|i| {
                Json::obj([
                    ("specifier", Json::str(&i.specifier)),
                    ("kind", Json::str(i.kind.as_str())),
                    ("start", i.start.into()),
                    ("end", i.end.into()),
                    ("typeOnly", i.type_only.into()),
                ])
            })
            .collect();
        Json::obj([
            ("imports", Json::Arr(imports)),
            (
                "hot",
                Json::obj([
                    ("usesHot", self.hot.uses_hot.into()),
                    ("selfAccepting", self.hot.self_accepting.into()),
                    ("acceptedDeps", Json::strs(&self.hot.accepted_deps)),
                    ("declined", self.hot.declined.into()),
                ]),
            ),
        ])
    }
}

/// The automatic JSX runtime's package when neither a pragma nor the caller names another.
pub const DEFAULT_JSX_SOURCE: &str = "react";

pub fn scan_imports(code: &str, lang: Lang) -> Result<Scan, ScanError> {
    scan_imports_with(code, lang, DEFAULT_JSX_SOURCE)
}

/// `scan_imports` with the JSX runtime's package when no `@jsxImportSource` pragma names one
/// (tsconfig's `jsxImportSource`, which the host read).
pub fn scan_imports_with(code: &str, lang: Lang, jsx_source: &str) -> Result<Scan, ScanError> {
    match lang {
        Lang::Css => scan_css(code.as_bytes()),
        _ => JsLexer::new(code.as_bytes(), lang, jsx_source).run(),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum BraceKind {
    Block,
    Expr,
    TemplateExpr,
    JsxExpr,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Frame {
    Brace(BraceKind),
    /// `cond`: the parenthesis follows `if`/`while`/`for`/`with`, so a `/` after `)` starts a regex.
    Paren {
        cond: bool,
    },
    Bracket,
    /// Opened at this byte offset (reported when it never closes).
    Template(usize),
    JsxTag,
    JsxChildren,
}

/// The previous significant token, as far as the next decision needs it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Prev {
    Start,
    /// `.` or `?.`: the next identifier is a property name, never a keyword.
    Dot,
    /// A punctuator after which an expression starts.
    Punct,
    /// `)` of a call or grouping, `]`, a literal, a non-keyword identifier: a value ends here.
    Value,
    /// A keyword after which an expression starts (`return`, `typeof`, ...).
    ExprKeyword,
    /// A keyword after which a statement or block follows (`else`, `do`, `=>` ...).
    BlockKeyword,
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c == b'$' || c == b'\\' || c >= 0x80
}

fn is_ident_char(c: u8) -> bool {
    is_ident_start(c) || c.is_ascii_digit()
}

fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// The word after `pragma` in the source (`@jsxImportSource preact` -> `preact`), if the pragma is
/// there followed by a blank: `@jsx` must not match `@jsxFrag` or `@jsxRuntime`.
fn pragma_value<'a>(src: &'a [u8], pragma: &[u8]) -> Option<&'a str> {
    let mut from = 0;
    while let Some(at) = src[from..].windows(pragma.len()).position(|w| w == pragma) {
        let rest = &src[from + at + pragma.len()..];
        from += at + pragma.len();
        if !rest.first().map_or(false, |c| is_ws(*c)) {
            continue;
        }
        let start = rest.iter().position(|c| !is_ws(*c)).unwrap_or(rest.len());
        let len = rest[start..]
            .iter()
            .position(|c| is_ws(*c) || *c == b'*')
            .unwrap_or(rest.len() - start);
        return std::str::from_utf8(&rest[start..start + len])
            .ok()
            .filter(|name| !name.is_empty());
    }
    None
}

/// The module the engines import JSX helpers from, as esbuild, Babel and TypeScript read the
/// pragmas: none under the classic runtime (`@jsxRuntime classic`, or an `@jsx h` factory without
/// `@jsxRuntime automatic`), else `<@jsxImportSource or default_source>/jsx-runtime`.
fn jsx_runtime_import(src: &[u8], default_source: &str) -> Option<String> {
    let runtime = pragma_value(src, b"@jsxRuntime");
    let classic = runtime == Some("classic")
        || (runtime != Some("automatic") && pragma_value(src, b"@jsx").is_some());
    if classic {
        return None;
    }
    let source = pragma_value(src, b"@jsxImportSource").unwrap_or(default_source);
    Some(format!("{}/jsx-runtime", source))
}

struct JsLexer<'a> {
    src: &'a [u8],
    /// The JSX runtime's package unless a pragma names another.
    jsx_source: &'a str,
    i: usize,
    jsx: bool,
    ts: bool,
    stack: Vec<Frame>,
    prev: Prev,
    /// The last identifier, for `if (`-style decisions.
    prev_ident: &'a [u8],
    /// Operators since the last `;`, `,`, `{` or `}`: a long run means a deep expression tree.
    operator_run: usize,
    /// Whether the JSX runtime import is recorded (once per module, at its first element).
    jsx_runtime: bool,
    out: Scan,
}

impl<'a> JsLexer<'a> {
    fn new(src: &'a [u8], lang: Lang, jsx_source: &'a str) -> Self {
        JsLexer {
            src,
            jsx_source,
            i: 0,
            jsx: matches!(lang, Lang::Jsx | Lang::Tsx),
            ts: matches!(lang, Lang::Ts | Lang::Tsx),
            stack: Vec::new(),
            prev: Prev::Start,
            prev_ident: b"",
            operator_run: 0,
            jsx_runtime: false,
            out: Scan::default(),
        }
    }

    fn at(&self, i: usize) -> u8 {
        self.src.get(i).copied().unwrap_or(0)
    }

    fn regex_allowed(&self) -> bool {
        !matches!(self.prev, Prev::Value | Prev::Dot)
    }

    fn run(mut self) -> Result<Scan, ScanError> {
        if self.src.starts_with(b"#!") {
            self.i = self.line_end(0);
        }
        while self.i < self.src.len() {
            match self.stack.last() {
                Some(Frame::Template(_)) => self.template_chars()?,
                Some(Frame::JsxTag) => self.jsx_tag()?,
                Some(Frame::JsxChildren) => self.jsx_children()?,
                _ => self.js_token()?,
            }
        }
        // The outermost unterminated template is where the user's mistake starts.
        match self.stack.iter().find(|f| matches!(f, Frame::Template(_))) {
            Some(Frame::Template(start)) => {
                Err(self.error("unterminated template literal", *start))
            }
            _ => Ok(self.out),
        }
    }

    fn error(&self, message: &str, offset: usize) -> ScanError {
        ScanError {
            code: "UNTERMINATED",
            message: message.to_string(),
            offset,
        }
    }

    fn push(&mut self, frame: Frame) -> Result<(), ScanError> {
        if self.stack.len() >= MAX_NESTING {
            return Err(ScanError {
                code: "TOO_DEEP",
                message: format!("too deeply nested: more than {MAX_NESTING} levels of brackets"),
                offset: self.i,
            });
        }
        self.stack.push(frame);
        Ok(())
    }

    fn operator(&mut self) -> Result<(), ScanError> {
        self.operator_run += 1;
        if self.operator_run > MAX_OPERATOR_RUN {
            return Err(ScanError {
                code: "TOO_DEEP",
                message: format!(
                    "expression too deeply nested: more than {MAX_OPERATOR_RUN} operators in a row"
                ),
                offset: self.i,
            });
        }
        Ok(())
    }

    fn line_end(&self, mut i: usize) -> usize {
        while i < self.src.len() && self.src[i] != b'\n' && self.src[i] != b'\r' {
            i += 1;
        }
        i
    }

    /// Skips white space and comments from `i`; an unterminated block comment ends at EOF.
    fn skip_trivia(&self, mut i: usize) -> usize {
        loop {
            while i < self.src.len() && is_ws(self.src[i]) {
                i += 1;
            }
            if self.at(i) == b'/' && self.at(i + 1) == b'/' {
                i = self.line_end(i);
            } else if self.at(i) == b'/' && self.at(i + 1) == b'*' {
                i = match find(self.src, b"*/", i + 2) {
                    Some(e) => e + 2,
                    None => self.src.len(),
                };
            } else {
                return i;
            }
        }
    }

    fn ident_end(&self, mut i: usize) -> usize {
        while i < self.src.len() && is_ident_char(self.src[i]) {
            i += 1;
        }
        i
    }

    /// A string literal starting at `i` (on its quote): (content start, content end, index after it).
    /// An unescaped line break ends it early, as the engine will report that error better than we can.
    fn string_at(&self, i: usize) -> (usize, usize, usize) {
        let quote = self.src[i];
        let mut j = i + 1;
        while j < self.src.len() {
            match self.src[j] {
                b'\\' => j += 2,
                b'\n' | b'\r' => return (i + 1, j, j),
                c if c == quote => return (i + 1, j, j + 1),
                _ => j += 1,
            }
        }
        let end = self.src.len();
        (i + 1, end, end)
    }

    fn record(&mut self, kind: ImportKind, start: usize, end: usize, type_only: bool) {
        let specifier = unescape(&self.src[start..end]);
        self.out.imports.push(Import {
            specifier,
            kind,
            start,
            end,
            type_only,
        });
    }

    fn js_token(&mut self) -> Result<(), ScanError> {
        let c = self.src[self.i];
        if is_ws(c) {
            self.i += 1;
            return Ok(());
        }
        match c {
            b'/' => {
                let next = self.at(self.i + 1);
                if next == b'/' {
                    self.i = self.line_end(self.i);
                } else if next == b'*' {
                    match find(self.src, b"*/", self.i + 2) {
                        Some(e) => self.i = e + 2,
                        None => return Err(self.error("unterminated comment", self.i)),
                    }
                } else if self.regex_allowed() && self.regex() {
                    self.prev = Prev::Value;
                } else {
                    self.operator()?;
                    self.i += 1;
                    self.prev = Prev::Punct;
                }
            }
            b'\'' | b'"' => {
                self.i = self.string_at(self.i).2;
                self.prev = Prev::Value;
            }
            b'`' => {
                self.push(Frame::Template(self.i))?;
                self.i += 1;
            }
            b'{' => {
                let kind = match self.prev {
                    Prev::Punct | Prev::ExprKeyword => BraceKind::Expr,
                    _ => BraceKind::Block,
                };
                self.push(Frame::Brace(kind))?;
                self.operator_run = 0;
                self.i += 1;
                self.prev = Prev::Punct;
            }
            b'}' => {
                self.operator_run = 0;
                self.i += 1;
                self.prev = match self.stack.pop() {
                    Some(Frame::Brace(BraceKind::Expr)) => Prev::Value,
                    // Template and JSX frames now on top resume their own scanning.
                    Some(Frame::Brace(BraceKind::TemplateExpr))
                    | Some(Frame::Brace(BraceKind::JsxExpr)) => Prev::Value,
                    _ => Prev::BlockKeyword,
                };
            }
            b'(' => {
                let cond = self.prev == Prev::BlockKeyword
                    && matches!(self.prev_ident, b"if" | b"while" | b"for" | b"with");
                self.push(Frame::Paren { cond })?;
                self.i += 1;
                self.prev = Prev::Punct;
            }
            b')' => {
                self.i += 1;
                self.prev = match self.stack.pop() {
                    Some(Frame::Paren { cond: true }) => Prev::BlockKeyword,
                    _ => Prev::Value,
                };
            }
            b'[' => {
                self.push(Frame::Bracket)?;
                self.i += 1;
                self.prev = Prev::Punct;
            }
            b']' => {
                self.stack.pop();
                self.i += 1;
                self.prev = Prev::Value;
            }
            b'<' if self.jsx && self.regex_allowed() && self.jsx_starts_here() => {
                self.open_jsx_tag()?;
            }
            b'.' if self.at(self.i + 1).is_ascii_digit() => self.number(),
            b'.' => {
                if self.at(self.i + 1) == b'.' && self.at(self.i + 2) == b'.' {
                    self.i += 3;
                    self.prev = Prev::Punct;
                } else {
                    self.i += 1;
                    self.prev = Prev::Dot;
                }
            }
            b'?' if self.at(self.i + 1) == b'.' && !self.at(self.i + 2).is_ascii_digit() => {
                self.i += 2;
                self.prev = Prev::Dot;
            }
            b';' | b',' => {
                self.operator_run = 0;
                self.i += 1;
                self.prev = Prev::Punct;
            }
            b'+' | b'-' if self.at(self.i + 1) == c => {
                // `a++ / b` divides; a prefix `++` before a regex literal is not meaningful code.
                self.i += 2;
                self.prev = Prev::Value;
            }
            b'=' if self.at(self.i + 1) == b'>' => {
                self.i += 2;
                self.prev = Prev::BlockKeyword;
            }
            b'#' => {
                self.i = self.ident_end(self.i + 1);
                self.prev = Prev::Value;
            }
            b'0'..=b'9' => self.number(),
            c if is_ident_start(c) => self.identifier(),
            _ => {
                self.operator()?;
                self.i += 1;
                self.prev = Prev::Punct;
            }
        }
        Ok(())
    }

    fn number(&mut self) {
        let mut j = self.i + 1;
        while j < self.src.len() {
            let c = self.src[j];
            let exponent_sign = (c == b'+' || c == b'-')
                && matches!(self.src[j - 1], b'e' | b'E')
                && !self.src[self.i..j].starts_with(b"0x");
            if c.is_ascii_alphanumeric() || c == b'.' || c == b'_' || exponent_sign {
                j += 1;
            } else {
                break;
            }
        }
        self.i = j;
        self.prev = Prev::Value;
    }

    /// Tries to lex a regular expression literal at `i`; false (nothing consumed) if a line ends first,
    /// in which case the `/` was a division after all.
    fn regex(&mut self) -> bool {
        let mut j = self.i + 1;
        let mut in_class = false;
        while j < self.src.len() {
            match self.src[j] {
                b'\\' => j += 2,
                b'\n' | b'\r' => return false,
                b'[' => {
                    in_class = true;
                    j += 1
                }
                b']' => {
                    in_class = false;
                    j += 1
                }
                b'/' if !in_class => {
                    self.i = self.ident_end(j + 1);
                    return true;
                }
                _ => j += 1,
            }
        }
        false
    }

    fn identifier(&mut self) {
        let start = self.i;
        let end = self.ident_end(start);
        let word = &self.src[start..end];
        self.i = end;
        if self.prev == Prev::Dot {
            self.prev = Prev::Value;
            self.prev_ident = word;
            return;
        }
        match word {
            b"import" => self.after_import(end),
            b"export" => self.after_export(end),
            b"require" => self.after_require(end),
            _ => {}
        }
        self.prev_ident = word;
        self.prev = match word {
            b"return" | b"typeof" | b"instanceof" | b"in" | b"of" | b"new" | b"delete"
            | b"void" | b"throw" | b"case" | b"yield" | b"await" | b"default" | b"extends" => {
                Prev::ExprKeyword
            }
            b"if" | b"while" | b"for" | b"with" | b"else" | b"do" | b"try" | b"finally"
            | b"import" | b"export" => Prev::BlockKeyword,
            _ => Prev::Value,
        };
    }

    /// The string literal starting at `i`, if there is one.
    fn string_literal(&self, i: usize) -> Option<(usize, usize, usize)> {
        match self.at(i) {
            b'\'' | b'"' => Some(self.string_at(i)),
            _ => None,
        }
    }

    fn word_at(&self, i: usize) -> &'a [u8] {
        let src: &'a [u8] = self.src;
        if i < src.len() && is_ident_start(src[i]) {
            &src[i..self.ident_end(i)]
        } else {
            b""
        }
    }

    fn after_import(&mut self, end: usize) {
        let j = self.skip_trivia(end);
        match self.at(j) {
            b'(' => {
                let k = self.skip_trivia(j + 1);
                if let Some((s, e, after)) = self.string_literal(k) {
                    if matches!(self.at(self.skip_trivia(after)), b')' | b',') {
                        self.record(ImportKind::Dynamic, s, e, false);
                    }
                }
            }
            b'.' => self.import_meta(j),
            _ => {
                if let Some((s, e, type_only)) = self.import_clause(j) {
                    self.record(ImportKind::Static, s, e, type_only);
                }
            }
        }
    }

    /// Reads `import <clause> from 's'` or `import 's'` from after the keyword.
    fn import_clause(&self, j: usize) -> Option<(usize, usize, bool)> {
        if let Some((s, e, _)) = self.string_literal(j) {
            return Some((s, e, false));
        }
        let mut type_only = false;
        let mut k = j;
        if self.ts && self.word_at(k) == b"type" {
            let after = self.skip_trivia(k + 4);
            let next = self.word_at(after);
            if (matches!(self.at(after), b'{' | b'*') || !next.is_empty()) && next != b"from" {
                type_only = true;
                k = after;
            }
        }
        self.clause_then_from(k).map(|(s, e)| (s, e, type_only))
    }

    /// Skips an import/export clause (`a, { b as c, "d" as e }`, `* as ns`) and reads `from 's'`.
    fn clause_then_from(&self, mut k: usize) -> Option<(usize, usize)> {
        let mut depth = 0usize;
        // A clause is short; the bound keeps a malformed file from making this quadratic.
        for _ in 0..10_000 {
            k = self.skip_trivia(k);
            let c = self.at(k);
            if depth == 0 && self.word_at(k) == b"from" {
                let after = self.skip_trivia(k + 4);
                if let Some((s, e, _)) = self.string_literal(after) {
                    return Some((s, e));
                }
            }
            match c {
                b'{' => {
                    depth += 1;
                    k += 1
                }
                b'}' => {
                    depth = depth.checked_sub(1)?;
                    k += 1
                }
                b',' | b'*' => k += 1,
                b'\'' | b'"' if depth > 0 => k = self.string_at(k).2,
                c if is_ident_start(c) => k = self.ident_end(k),
                _ => return None,
            }
        }
        None
    }

    fn after_export(&mut self, end: usize) {
        let mut j = self.skip_trivia(end);
        let mut type_only = false;
        if self.ts && self.word_at(j) == b"type" {
            let after = self.skip_trivia(j + 4);
            if matches!(self.at(after), b'{' | b'*') {
                type_only = true;
                j = after;
            }
        }
        if matches!(self.at(j), b'{' | b'*') {
            if let Some((s, e)) = self.clause_then_from(j) {
                self.record(ImportKind::ReExport, s, e, type_only);
            }
        }
    }

    fn after_require(&mut self, end: usize) {
        let j = self.skip_trivia(end);
        if self.at(j) != b'(' {
            return;
        }
        if let Some((s, e, after)) = self.string_literal(self.skip_trivia(j + 1)) {
            if self.at(self.skip_trivia(after)) == b')' {
                self.record(ImportKind::Require, s, e, false);
            }
        }
    }

    /// `.word` or `?.word` at `i` (after trivia): the word and the index after it.
    fn member(&self, i: usize) -> Option<(&'a [u8], usize)> {
        let mut k = self.skip_trivia(i);
        if self.at(k) == b'?' && self.at(k + 1) == b'.' {
            k += 2;
        } else if self.at(k) == b'.' {
            k += 1;
        } else {
            return None;
        }
        k = self.skip_trivia(k);
        let w = self.word_at(k);
        if w.is_empty() {
            None
        } else {
            Some((w, k + w.len()))
        }
    }

    fn import_meta(&mut self, dot: usize) {
        let after_hot = match self.member(dot) {
            Some((b"meta", k)) => match self.member(k) {
                Some((b"hot", k)) => k,
                _ => return,
            },
            _ => return,
        };
        self.out.hot.uses_hot = true;
        let (method, k) = match self.member(after_hot) {
            Some(m) => m,
            None => return,
        };
        let open = self.skip_trivia(k);
        if self.at(open) != b'(' {
            return;
        }
        match method {
            b"decline" => self.out.hot.declined = true,
            b"accept" => {
                let arg = self.skip_trivia(open + 1);
                if let Some((s, e, _)) = self.string_literal(arg) {
                    let dep = unescape(&self.src[s..e]);
                    self.out.hot.accepted_deps.push(dep);
                } else if self.at(arg) == b'[' {
                    let mut k = self.skip_trivia(arg + 1);
                    while let Some((s, e, after)) = self.string_literal(k) {
                        let dep = unescape(&self.src[s..e]);
                        self.out.hot.accepted_deps.push(dep);
                        k = self.skip_trivia(after);
                        if self.at(k) == b',' {
                            k = self.skip_trivia(k + 1);
                        }
                    }
                } else {
                    // `accept()` or `accept(callback)`: the module takes its own updates.
                    self.out.hot.self_accepting = true;
                }
            }
            _ => {}
        }
    }

    fn template_chars(&mut self) -> Result<(), ScanError> {
        while self.i < self.src.len() {
            match self.src[self.i] {
                b'\\' => self.i += 2,
                b'`' => {
                    self.stack.pop();
                    self.i += 1;
                    self.prev = Prev::Value;
                    return Ok(());
                }
                b'$' if self.at(self.i + 1) == b'{' => {
                    self.push(Frame::Brace(BraceKind::TemplateExpr))?;
                    self.i += 2;
                    self.prev = Prev::Punct;
                    return Ok(());
                }
                _ => self.i += 1,
            }
        }
        Ok(())
    }

    /// In expression position, does `<` open a JSX element (and not a TSX arrow's type parameters)?
    fn jsx_starts_here(&self) -> bool {
        let next = self.at(self.i + 1);
        if next == b'>' {
            return true;
        }
        if !is_ident_start(next) {
            return false;
        }
        if self.ts {
            let after = self.skip_trivia(self.ident_end(self.i + 1));
            if self.at(after) == b',' {
                return false;
            }
            if self.word_at(after) == b"extends" && is_ws(self.at(after + 7)) {
                return false;
            }
        }
        true
    }

    fn open_jsx_tag(&mut self) -> Result<(), ScanError> {
        if !self.jsx_runtime {
            self.jsx_runtime = true;
            if let Some(specifier) = jsx_runtime_import(self.src, self.jsx_source) {
                self.out.imports.push(Import {
                    specifier,
                    kind: ImportKind::JsxRuntime,
                    start: self.i,
                    end: self.i,
                    type_only: false,
                });
            }
        }
        self.push(Frame::JsxTag)?;
        self.i += 1;
        while self.i < self.src.len()
            && (is_ident_char(self.src[self.i]) || matches!(self.src[self.i], b'.' | b':' | b'-'))
        {
            self.i += 1;
        }
        Ok(())
    }

    fn close_jsx_element(&mut self) {
        self.stack.pop();
        self.prev = Prev::Value;
    }

    fn jsx_tag(&mut self) -> Result<(), ScanError> {
        let c = self.src[self.i];
        match c {
            b'/' if self.at(self.i + 1) == b'>' => {
                self.i += 2;
                self.close_jsx_element();
            }
            b'>' => {
                self.i += 1;
                if let Some(top) = self.stack.last_mut() {
                    *top = Frame::JsxChildren;
                }
            }
            b'{' => {
                self.push(Frame::Brace(BraceKind::JsxExpr))?;
                self.i += 1;
                self.prev = Prev::Punct;
            }
            b'"' | b'\'' => match self.src[self.i + 1..].iter().position(|&b| b == c) {
                // JSX attribute strings have no escapes and may span lines.
                Some(p) => self.i += p + 2,
                None => return Err(self.error("unterminated JSX attribute string", self.i)),
            },
            b'/' if self.at(self.i + 1) == b'*' => {
                self.i = match find(self.src, b"*/", self.i + 2) {
                    Some(e) => e + 2,
                    None => return Err(self.error("unterminated comment", self.i)),
                };
            }
            _ => self.i += 1,
        }
        Ok(())
    }

    fn jsx_children(&mut self) -> Result<(), ScanError> {
        while self.i < self.src.len() {
            match self.src[self.i] {
                b'{' => {
                    self.push(Frame::Brace(BraceKind::JsxExpr))?;
                    self.i += 1;
                    self.prev = Prev::Punct;
                    return Ok(());
                }
                b'<' if self.at(self.skip_trivia(self.i + 1)) == b'/' => {
                    self.i = match self.src[self.i..].iter().position(|&b| b == b'>') {
                        Some(p) => self.i + p + 1,
                        None => self.src.len(),
                    };
                    self.stack.pop();
                    if !matches!(self.stack.last(), Some(Frame::JsxChildren)) {
                        self.prev = Prev::Value;
                    }
                    return Ok(());
                }
                b'<' => return self.open_jsx_tag(),
                _ => self.i += 1,
            }
        }
        Ok(())
    }
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from > hay.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// Decodes JS string escapes in a specifier (`'\x2e/a'` is `'./a'`); invalid escapes are kept as written.
fn unescape(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    if !text.contains('\\') {
        return text.into_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('x') => {
                let hex: String = chars.by_ref().take(2).collect();
                out.push(
                    u32::from_str_radix(&hex, 16)
                        .ok()
                        .and_then(char::from_u32)
                        .unwrap_or('\u{FFFD}'),
                );
            }
            Some('u') => {
                let hex: String = if chars.peek() == Some(&'{') {
                    chars.next();
                    chars.by_ref().take_while(|c| *c != '}').collect()
                } else {
                    chars.by_ref().take(4).collect()
                };
                out.push(
                    u32::from_str_radix(&hex, 16)
                        .ok()
                        .and_then(char::from_u32)
                        .unwrap_or('\u{FFFD}'),
                );
            }
            Some('\n') | Some('\r') => {}
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

fn scan_css(src: &[u8]) -> Result<Scan, ScanError> {
    let mut out = Scan::default();
    let mut i = 0;
    let at = |i: usize| src.get(i).copied().unwrap_or(0);
    let starts_ci = |i: usize, word: &[u8]| {
        src.len() >= i + word.len() && src[i..i + word.len()].eq_ignore_ascii_case(word)
    };
    let string_end = |i: usize| {
        let q = src[i];
        let mut j = i + 1;
        while j < src.len() && src[j] != q && src[j] != b'\n' {
            j += if src[j] == b'\\' { 2 } else { 1 };
        }
        j.min(src.len())
    };
    // `url(` at `i`: the range of its argument and the index after `)`.
    let url_arg = |i: usize| {
        let mut j = i + 4;
        while j < src.len() && is_ws(src[j]) {
            j += 1;
        }
        let (s, e) = if matches!(at(j), b'"' | b'\'') {
            let e = string_end(j);
            (j + 1, e)
        } else {
            let s = j;
            while j < src.len() && src[j] != b')' && !is_ws(src[j]) {
                j += 1;
            }
            (s, j)
        };
        let close = src[e.min(src.len())..]
            .iter()
            .position(|&b| b == b')')
            .map(|p| e + p + 1)
            .unwrap_or(src.len());
        (s, e, close)
    };
    while i < src.len() {
        match src[i] {
            b'/' if at(i + 1) == b'*' => match find(src, b"*/", i + 2) {
                Some(e) => i = e + 2,
                None => {
                    return Err(ScanError {
                        code: "UNTERMINATED",
                        message: "unterminated comment".into(),
                        offset: i,
                    })
                }
            },
            b'"' | b'\'' => i = string_end(i) + 1,
            b'@' if starts_ci(i, b"@import") && !is_ident_char(at(i + 7)) => {
                let mut j = i + 7;
                while j < src.len() && is_ws(src[j]) {
                    j += 1;
                }
                if matches!(at(j), b'"' | b'\'') {
                    let e = string_end(j);
                    push_css(&mut out, src, ImportKind::CssImport, j + 1, e);
                    i = e + 1;
                } else if starts_ci(j, b"url(") {
                    let (s, e, close) = url_arg(j);
                    push_css(&mut out, src, ImportKind::CssImport, s, e);
                    i = close;
                } else {
                    i = j;
                }
            }
            b'u' | b'U' if starts_ci(i, b"url(") && (i == 0 || !is_ident_char(src[i - 1])) => {
                let (s, e, close) = url_arg(i);
                let value = &src[s..e];
                // Inline data and fragment references are not modules.
                if !value.is_empty() && !value.starts_with(b"data:") && !value.starts_with(b"#") {
                    push_css(&mut out, src, ImportKind::CssUrl, s, e);
                }
                i = close;
            }
            _ => i += 1,
        }
    }
    Ok(out)
}

fn push_css(out: &mut Scan, src: &[u8], kind: ImportKind, s: usize, e: usize) {
    let e = e.min(src.len());
    out.imports.push(Import {
        specifier: unescape(&src[s..e]),
        kind,
        start: s,
        end: e,
        type_only: false,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specs(code: &str, lang: Lang) -> Vec<(String, &'static str)> {
        scan_imports(code, lang)
            .unwrap()
            .imports
            .into_iter()
            .map(|i| (i.specifier, i.kind.as_str()))
            .collect()
    }

    fn s(list: &[(&str, &'static str)]) -> Vec<(String, &'static str)> {
        list.iter().map(|(a, b)| (a.to_string(), *b)).collect()
    }

    #[test]
    fn static_dynamic_reexport_require() {
        let code = r#"
import a from './a.js';
import * as ns from "./ns";
import { x, y as z, "w" as w } from './named'
import './side-effect.css';
export * from './star';
export * as all from './all';
export { q } from './q';
export { local };
const lazy = () => import('./lazy');
const notLiteral = import(name);
const cjs = require('./cjs');
obj.import('./not-an-import'); obj.require('./nor-this');
"#;
        assert_eq!(
            specs(code, Lang::Js),
            s(&[
                ("./a.js", "static"),
                ("./ns", "static"),
                ("./named", "static"),
                ("./side-effect.css", "static"),
                ("./star", "reexport"),
                ("./all", "reexport"),
                ("./q", "reexport"),
                ("./lazy", "dynamic"),
                ("./cjs", "require"),
            ])
        );
    }

    #[test]
    fn ignores_strings_comments_templates_and_regexes() {
        let code = r#"
const s1 = "import x from './in-string'";
const s2 = 'require("./in-string2")';
// import a from './in-line-comment'
/* import b from './in-block-comment' */
const t = `import c from './in-template' ${ import('./in-template-expr') } still template`;
const r = /import d from '.\/in-regex'/g;
const div = a / b / c; import e from './after-division';
const r2 = x.replace(/['"`]/g, ''); import f from './after-quote-regex';
if (x) /import g/.test(y); import h from './after-cond-paren';
"#;
        assert_eq!(
            specs(code, Lang::Js),
            s(&[
                ("./in-template-expr", "dynamic"),
                ("./after-division", "static"),
                ("./after-quote-regex", "static"),
                ("./after-cond-paren", "static")
            ])
        );
    }

    #[test]
    fn nested_templates() {
        let code = "const a = `x${`y${`z${import('./deep')}`}`}`; import b from './after';";
        assert_eq!(
            specs(code, Lang::Js),
            s(&[("./deep", "dynamic"), ("./after", "static")])
        );
    }

    #[test]
    fn typescript_type_imports() {
        let code = r#"
import type { T } from './types';
import type D from './default-type';
import { type U, v } from './mixed';
import type from './named-type';
export type { V } from './reexported-type';
const f = <T,>(x: T): Array<T> => [x];
"#;
        let scan = scan_imports(code, Lang::Tsx).unwrap();
        let got: Vec<(&str, bool)> = scan
            .imports
            .iter()
            .map(|i| (i.specifier.as_str(), i.type_only))
            .collect();
        assert_eq!(
            got,
            vec![
                ("./types", true),
                ("./default-type", true),
                ("./mixed", false),
                ("./named-type", false),
                ("./reexported-type", true)
            ]
        );
    }

    #[test]
    fn jsx_text_with_quotes_and_braces() {
        let code = r#"
import React from 'react';
export function App() {
  return (
    <div className="app" data-x='y'>
      Don't stop: it's "quoted" text / with a slash
      {items.map((i) => <Item key={i} label={`n${i}`} />)}
      <>fragment's text</>
    </div>
  );
}
import { after } from './after-jsx';
"#;
        assert_eq!(
            specs(code, Lang::Jsx),
            s(&[
                ("react", "static"),
                ("react/jsx-runtime", "jsx-runtime"),
                ("./after-jsx", "static")
            ])
        );
    }

    #[test]
    fn jsx_runtime_import_once_at_the_first_element_with_its_pragma_source() {
        let code = "const a = 1 < 2\nexport const x = <b>{a}</b>\nexport const y = <i />\n";
        let scan = scan_imports(code, Lang::Tsx).unwrap();
        let runtime: Vec<_> = scan
            .imports
            .iter()
            .filter(|i| i.kind == ImportKind::JsxRuntime)
            .collect();
        assert_eq!(runtime.len(), 1);
        assert_eq!(runtime[0].specifier, "react/jsx-runtime");
        assert_eq!(runtime[0].start, code.find("<b>").unwrap());
        assert_eq!(runtime[0].start, runtime[0].end);
        let preact = "/** @jsxImportSource preact */\nexport const x = <b />";
        assert_eq!(
            specs(preact, Lang::Jsx),
            s(&[("preact/jsx-runtime", "jsx-runtime")])
        );
        // The classic runtime imports nothing: its factory is whatever the module has in scope.
        let classic = "/** @jsxRuntime classic */\n/** @jsx h */\nimport { h } from 'preact'\nexport const x = <b />";
        assert_eq!(specs(classic, Lang::Jsx), s(&[("preact", "static")]));
        assert_eq!(
            specs("/* @jsx h */\nexport const x = <b />", Lang::Jsx),
            s(&[])
        );
        assert_eq!(
            specs("/* @jsxFrag F */\nexport const x = <b />", Lang::Jsx),
            s(&[("react/jsx-runtime", "jsx-runtime")])
        );
        assert_eq!(
            specs("/** @jsxRuntime automatic @jsx h @jsxImportSource solid */\nexport const x = <b />", Lang::Jsx),
            s(&[("solid/jsx-runtime", "jsx-runtime")])
        );
        // No JSX, no runtime; and plain JS or TS never has one (`<` is a comparison or a type).
        assert_eq!(specs("export const x = 1", Lang::Tsx), s(&[]));
        assert_eq!(specs("let v = a <b> c", Lang::Ts), s(&[]));
    }

    #[test]
    fn import_meta_hot() {
        let code = r#"
if (import.meta.hot) {
  import.meta.hot.accept();
  import.meta.hot?.accept('./dep', (m) => {});
  import.meta.hot.accept(['./a', "./b"], () => {});
}
"#;
        let scan = scan_imports(code, Lang::Js).unwrap();
        assert!(scan.hot.uses_hot);
        assert!(scan.hot.self_accepting);
        assert_eq!(scan.hot.accepted_deps, vec!["./dep", "./a", "./b"]);
        let cb = scan_imports("import.meta.hot.accept((mod) => render(mod))", Lang::Js).unwrap();
        assert!(cb.hot.self_accepting);
        assert!(
            !scan_imports("import.meta.url", Lang::Js)
                .unwrap()
                .hot
                .uses_hot
        );
    }

    #[test]
    fn css_imports_and_urls() {
        let code = r#"
/* @import 'commented.css'; url(commented.png) */
@import "base.css";
@IMPORT url('theme.css') screen;
.a { background: url(img/a.png); mask: URL( "b.svg" ); content: "url(not-a-url)"; }
.b { background: url(data:image/png;base64,AAAA); fill: url(#grad); }
"#;
        assert_eq!(
            specs(code, Lang::Css),
            s(&[
                ("base.css", "css-import"),
                ("theme.css", "css-import"),
                ("img/a.png", "css-url"),
                ("b.svg", "css-url")
            ])
        );
    }

    #[test]
    fn byte_offsets_point_at_the_specifier() {
        let code = "// héllo wörld\nimport x from './ü.js';";
        let scan = scan_imports(code, Lang::Js).unwrap();
        let imp = &scan.imports[0];
        assert_eq!(&code[imp.start..imp.end], "./ü.js");
        assert_eq!(imp.specifier, "./ü.js");
    }

    #[test]
    fn escapes_in_specifiers() {
        assert_eq!(
            specs(r"import a from '\x2e/\u0061';", Lang::Js),
            s(&[("./a", "static")])
        );
    }

    #[test]
    fn unterminated_constructs_are_errors_not_panics() {
        assert_eq!(
            scan_imports("const a = `abc", Lang::Js)
                .unwrap_err()
                .message,
            "unterminated template literal"
        );
        assert_eq!(scan_imports("/* open", Lang::Js).unwrap_err().offset, 0);
        assert!(scan_imports("a { b: url(", Lang::Css).is_ok());
        for code in [
            "'",
            "\"abc",
            "/",
            "import",
            "import(",
            "export {",
            "<",
            "require(",
            "import.meta.hot.accept([",
        ] {
            let _ = scan_imports(code, Lang::Tsx);
        }
    }

    #[test]
    fn pathological_nesting_is_refused_without_recursion() {
        let too_deep = |code: &str| scan_imports(code, Lang::Jsx).unwrap_err().code == "TOO_DEEP";
        for n in [MAX_NESTING + 1, 100_000] {
            assert!(too_deep(&format!("{}{}", "f(".repeat(n), ")".repeat(n))));
            assert!(too_deep(&format!("{}{}", "[".repeat(n), "]".repeat(n))));
            assert!(too_deep(&format!("{}{}", "`${".repeat(n), "}`".repeat(n))));
            assert!(too_deep(&"<a>".repeat(n)));
        }
        assert!(too_deep(&("- ".repeat(20_000) + "1")));
        assert!(too_deep(&("a+".repeat(1_000_000) + "a")));
        assert!(too_deep(
            &("x ? ".repeat(5_000) + "1" + &" : 0".repeat(5_000))
        ));
        // Right at the limits, and long flat code, still scan.
        let n = MAX_NESTING - 1;
        let ok = format!("{}{}; import a from './a';", "f(".repeat(n), ")".repeat(n));
        assert_eq!(specs(&ok, Lang::Js), s(&[("./a", "static")]));
        assert!(scan_imports(&("a+".repeat(MAX_OPERATOR_RUN - 1) + "a"), Lang::Js).is_ok());
        let flat: String = (0..50_000)
            .map(|i| format!("x{i} = a + b * c;\n"))
            .collect();
        assert!(scan_imports(&flat, Lang::Js).is_ok());
    }
}
