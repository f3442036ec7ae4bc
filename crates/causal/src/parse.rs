//! Reading graphs from DOT and dagitty text, and writing DOT.

use crate::graph::CausalGraph;
use voltai_core::{Error, Result};

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Id(String),
    Arrow,     // ->
    BackArrow, // <-
    Both,      // <->
    Undirected,
    Open,
    Close,
    Attrs(String),
    Sep,
    Eq,
}

struct Lexer<'a> {
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    src: &'a str,
    line: u64,
    col: u64,
    name: &'a str,
}

impl<'a> Lexer<'a> {
    fn err(&self, line: u64, col: u64, msg: impl Into<String>) -> Error {
        Error::parse(self.name, line, col, msg)
    }

    fn bump(&mut self) -> Option<char> {
        let (_, c) = self.chars.next()?;
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    fn tokens(mut self) -> Result<Vec<(Tok, u64, u64)>> {
        let mut out = Vec::new();
        while let Some(&(pos, c)) = self.chars.peek() {
            let (line, col) = (self.line, self.col);
            match c {
                c if c.is_whitespace() => {
                    self.bump();
                }
                '#' => {
                    while self.chars.peek().is_some_and(|&(_, c)| c != '\n') {
                        self.bump();
                    }
                }
                '/' if self.src[pos..].starts_with("//") => {
                    while self.chars.peek().is_some_and(|&(_, c)| c != '\n') {
                        self.bump();
                    }
                }
                '/' if self.src[pos..].starts_with("/*") => {
                    self.bump();
                    self.bump();
                    loop {
                        match self.chars.peek() {
                            None => return Err(self.err(line, col, "unterminated comment")),
                            Some(&(p, _)) if self.src[p..].starts_with("*/") => {
                                self.bump();
                                self.bump();
                                break;
                            }
                            _ => {
                                self.bump();
                            }
                        }
                    }
                }
                '{' => {
                    self.bump();
                    out.push((Tok::Open, line, col));
                }
                '}' => {
                    self.bump();
                    out.push((Tok::Close, line, col));
                }
                ';' | ',' => {
                    self.bump();
                    out.push((Tok::Sep, line, col));
                }
                '=' => {
                    self.bump();
                    out.push((Tok::Eq, line, col));
                }
                '[' => {
                    self.bump();
                    let mut s = String::new();
                    loop {
                        match self.bump() {
                            None => {
                                return Err(self.err(line, col, "unterminated attribute list `[`"));
                            }
                            Some(']') => break,
                            Some(c) => s.push(c),
                        }
                    }
                    out.push((Tok::Attrs(s), line, col));
                }
                '-' if self.src[pos..].starts_with("->") => {
                    self.bump();
                    self.bump();
                    out.push((Tok::Arrow, line, col));
                }
                '-' if self.src[pos..].starts_with("--") => {
                    self.bump();
                    self.bump();
                    out.push((Tok::Undirected, line, col));
                }
                '<' if self.src[pos..].starts_with("<->") => {
                    for _ in 0..3 {
                        self.bump();
                    }
                    out.push((Tok::Both, line, col));
                }
                '<' if self.src[pos..].starts_with("<-") => {
                    self.bump();
                    self.bump();
                    out.push((Tok::BackArrow, line, col));
                }
                '"' => {
                    self.bump();
                    let mut s = String::new();
                    loop {
                        match self.bump() {
                            None => return Err(self.err(line, col, "unterminated string")),
                            Some('\\') => {
                                if let Some(c) = self.bump() {
                                    s.push(c);
                                }
                            }
                            Some('"') => break,
                            Some(c) => s.push(c),
                        }
                    }
                    out.push((Tok::Id(s), line, col));
                }
                c if c.is_alphanumeric() || c == '_' || c == '.' => {
                    let mut s = String::new();
                    while let Some(&(_, c)) = self.chars.peek() {
                        if c.is_alphanumeric() || c == '_' || c == '.' {
                            s.push(c);
                            self.bump();
                        } else {
                            break;
                        }
                    }
                    out.push((Tok::Id(s), line, col));
                }
                other => {
                    return Err(self.err(line, col, format!("unexpected character `{other}`")));
                }
            }
        }
        Ok(out)
    }
}

fn parse_graph(name: &str, text: &str) -> Result<CausalGraph> {
    let toks = Lexer {
        chars: text.char_indices().peekable(),
        src: text,
        line: 1,
        col: 1,
        name,
    }
    .tokens()?;
    let perr = |line: u64, col: u64, msg: String| Error::parse(name, line, col, msg);
    let mut i = 0;
    // Header: [strict] (digraph|dag|graph) [name] {
    while i < toks.len() && toks[i].0 != Tok::Open {
        match &toks[i].0 {
            Tok::Id(_) => i += 1,
            _ => {
                return Err(perr(
                    toks[i].1,
                    toks[i].2,
                    "expected `digraph {` or `dag {`".into(),
                ));
            }
        }
    }
    let body_start = if i < toks.len() { i + 1 } else { 0 };
    let mut g = CausalGraph::new();
    let ensure = |g: &mut CausalGraph, n: &str| -> Result<()> {
        if g.id(n).is_err() {
            g.add_node(n)?;
        }
        Ok(())
    };
    let mut k = body_start;
    let mut closed = body_start == 0;
    while k < toks.len() {
        let (tok, line, col) = (&toks[k].0, toks[k].1, toks[k].2);
        match tok {
            Tok::Close => {
                closed = true;
                k += 1;
                if k < toks.len() {
                    return Err(perr(
                        toks[k].1,
                        toks[k].2,
                        "text after the closing `}`".into(),
                    ));
                }
            }
            Tok::Sep | Tok::Attrs(_) => k += 1,
            Tok::Id(first) => {
                // `key = value` statements (graph attributes, dagitty `bb="..."`).
                if matches!(toks.get(k + 1), Some((Tok::Eq, _, _))) {
                    k += 3;
                    continue;
                }
                if matches!(first.as_str(), "graph" | "node" | "edge")
                    && matches!(toks.get(k + 1), Some((Tok::Attrs(_), _, _)))
                {
                    k += 2;
                    continue;
                }
                let mut chain: Vec<(String, u64, u64)> = vec![(first.clone(), line, col)];
                let mut ops: Vec<(Tok, u64, u64)> = Vec::new();
                k += 1;
                while let Some((
                    op @ (Tok::Arrow | Tok::BackArrow | Tok::Both | Tok::Undirected),
                    l,
                    c,
                )) = toks.get(k)
                {
                    if *op == Tok::Undirected {
                        return Err(perr(
                            *l,
                            *c,
                            "undirected edge `--`: a causal graph needs directions".into(),
                        ));
                    }
                    match toks.get(k + 1) {
                        Some((Tok::Id(n), l2, c2)) => {
                            ops.push((op.clone(), *l, *c));
                            chain.push((n.clone(), *l2, *c2));
                            k += 2;
                        }
                        _ => return Err(perr(*l, *c, "edge without a target node".into())),
                    }
                }
                let both_attr = matches!(toks.get(k), Some((Tok::Attrs(a), _, _)) if a.replace(' ', "").contains("dir=both"));
                for (n, l, c) in &chain {
                    ensure(&mut g, n).map_err(|e| perr(*l, *c, e.to_string()))?;
                }
                for (j, (op, l, c)) in ops.iter().enumerate() {
                    let (a, b) = (&chain[j].0, &chain[j + 1].0);
                    let res = match (op, both_attr) {
                        (Tok::Both, _) | (Tok::Arrow, true) => g.add_bidirected(a, b),
                        (Tok::Arrow, false) => g.add_edge(a, b),
                        _ => g.add_edge(b, a),
                    };
                    res.map_err(|e| perr(*l, *c, e.to_string()))?;
                }
            }
            other => return Err(perr(line, col, format!("unexpected `{other:?}`"))),
        }
    }
    if !closed {
        return Err(perr(1, 1, "missing closing `}`".into()));
    }
    Ok(g)
}

impl CausalGraph {
    /// Parses a DOT digraph (`a -> b -> c;`, node and graph attributes ignored,
    /// `[dir=both]` or `<->` for a latent common cause). Errors carry line and column.
    pub fn from_dot(text: &str) -> Result<Self> {
        parse_graph("<dot>", text)
    }

    /// Parses dagitty's text syntax (`dag { X [exposure] Z -> X Z -> Y X <-> Y }`).
    pub fn from_dagitty(text: &str) -> Result<Self> {
        parse_graph("<dagitty>", text)
    }

    /// The graph as a DOT digraph (bidirected edges dashed, both ways).
    pub fn to_dot(&self) -> String {
        let q = |s: &str| format!("\"{}\"", s.replace('"', "\\\""));
        let mut out =
            String::from("digraph causal {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n");
        for n in self.nodes() {
            out.push_str(&format!("  {};\n", q(n)));
        }
        for (a, b) in self.edges() {
            out.push_str(&format!("  {} -> {};\n", q(a), q(b)));
        }
        for (a, b) in self.bidirected() {
            out.push_str(&format!(
                "  {} -> {} [dir=both, style=dashed];\n",
                q(a),
                q(b)
            ));
        }
        out.push_str("}\n");
        out
    }
}
