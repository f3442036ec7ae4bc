//! Identification: the back-door criterion, all minimal adjustment sets, the
//! front-door criterion and instrumental variables.

use std::collections::BTreeSet;

use crate::graph::CausalGraph;
use voltai_core::{Error, Result};

impl CausalGraph {
    fn pair(&self, x: &str, y: &str) -> Result<(usize, usize)> {
        let (xi, yi) = (self.id(x)?, self.id(y)?);
        if xi == yi {
            return Err(Error::InvalidInput(format!(
                "treatment and outcome are both `{x}`"
            )));
        }
        Ok((xi, yi))
    }

    /// Back-door criterion (Pearl 2009, Def. 3.3.1): no node of `z` descends
    /// from `x`, and `z` blocks every path between `x` and `y` that starts with
    /// an arrow into `x`.
    pub fn is_backdoor_set(&self, x: &str, y: &str, z: &[&str]) -> Result<bool> {
        let (xi, yi) = self.pair(x, y)?;
        let zi = self.ids(z)?;
        if zi.contains(&xi) || zi.contains(&yi) {
            return Err(Error::InvalidInput(
                "the adjustment set contains the treatment or the outcome".into(),
            ));
        }
        let desc = self.descendant_mask(&[xi]);
        if zi.iter().any(|&v| desc[v]) {
            return Ok(false);
        }
        // d-separation in the graph without x's outgoing edges.
        let r = self.reachable(&[xi], &zi, &|p, _| p == xi);
        Ok(!r[yi])
    }

    /// Every minimal back-door adjustment set for the effect of `x` on `y`
    /// (sorted; empty list = not identifiable by adjustment; `[[]]` = the
    /// empty set suffices).
    ///
    /// Minimal d-separators lie in the ancestors of {x, y} (Tian, Paz & Pearl
    /// 1998), where d-separation is vertex separation in the moral graph; the
    /// minimal x–y vertex separators of that graph are enumerated from the one
    /// closest to x by the rule of Berry, Bordat & Cogis (1999) and kept when
    /// they avoid descendants of x and latent nodes. Polynomial time per set.
    pub fn minimal_adjustment_sets(&self, x: &str, y: &str) -> Result<Vec<Vec<String>>> {
        let (xi, yi) = self.pair(x, y)?;
        let n = self.n_all();
        let skip = |p: usize, _c: usize| p == xi;
        // Ancestral set of {x, y} in the graph without x's outgoing edges.
        let mut anc = vec![false; n];
        let mut stack = vec![xi, yi];
        anc[xi] = true;
        anc[yi] = true;
        while let Some(v) = stack.pop() {
            for &p in self.parents_of(v) {
                if !skip(p, v) && !anc[p] {
                    anc[p] = true;
                    stack.push(p);
                }
            }
        }
        // Moral graph on the ancestral set.
        let mut adj: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
        for v in (0..n).filter(|&v| anc[v]) {
            let pa: Vec<usize> = self
                .parents_of(v)
                .iter()
                .copied()
                .filter(|&p| !skip(p, v) && anc[p])
                .collect();
            for (k, &p) in pa.iter().enumerate() {
                adj[p].insert(v);
                adj[v].insert(p);
                for &q in &pa[k + 1..] {
                    adj[p].insert(q);
                    adj[q].insert(p);
                }
            }
        }
        let desc = self.descendant_mask(&[xi]);
        let allowed: Vec<bool> = (0..n)
            .map(|v| anc[v] && !desc[v] && !self.is_latent(v) && v != yi)
            .collect();
        let mut sets: Vec<Vec<String>> = minimal_separators(&adj, xi, yi)?
            .into_iter()
            .filter(|s| s.iter().all(|&v| allowed[v]))
            .map(|s| {
                let mut names = self.names_of(&s);
                names.sort();
                names
            })
            .collect();
        sets.sort();
        Ok(sets)
    }

    /// A minimal adjustment set of smallest size, if any.
    pub fn minimum_adjustment_set(&self, x: &str, y: &str) -> Result<Option<Vec<String>>> {
        Ok(self
            .minimal_adjustment_sets(x, y)?
            .into_iter()
            .min_by_key(|s| s.len()))
    }

    /// Front-door criterion (Pearl 2009, Def. 3.3.3) for mediators `z`: z
    /// intercepts every directed path x → y, no back-door path x → z is open,
    /// and x blocks every back-door path z → y.
    pub fn is_frontdoor_set(&self, x: &str, y: &str, z: &[&str]) -> Result<bool> {
        let (xi, yi) = self.pair(x, y)?;
        let zi = self.ids(z)?;
        if zi.is_empty() || zi.contains(&xi) || zi.contains(&yi) {
            return Ok(false);
        }
        // (1) no directed path x → y avoiding z.
        let mut seen = vec![false; self.n_all()];
        let mut stack = vec![xi];
        while let Some(v) = stack.pop() {
            for &c in self.children_of(v) {
                if c == yi {
                    return Ok(false);
                }
                if !zi.contains(&c) && !seen[c] {
                    seen[c] = true;
                    stack.push(c);
                }
            }
        }
        // (2) x and each z_j d-separated (given nothing) once x's outgoing edges go.
        let r = self.reachable(&[xi], &[], &|p, _| p == xi);
        if zi.iter().any(|&v| r[v]) {
            return Ok(false);
        }
        // (3) back-door paths z_j → y blocked by x.
        let r = self.reachable(&zi, &[xi], &|p, _| zi.contains(&p));
        Ok(!r[yi])
    }

    /// Whether `z` is an instrument for the effect of `x` on `y`: z is
    /// d-connected to x, and d-separated from y once x's outgoing edges are
    /// removed (exclusion and independence), optionally given `given`.
    pub fn is_instrument(&self, z: &str, x: &str, y: &str, given: &[&str]) -> Result<bool> {
        let (xi, yi) = self.pair(x, y)?;
        let zi = self.id(z)?;
        let wi = self.ids(given)?;
        if zi == xi || zi == yi || wi.contains(&zi) {
            return Ok(false);
        }
        let desc = self.descendant_mask(&[xi]);
        if wi.iter().any(|&w| desc[w]) {
            return Ok(false);
        }
        let relevant = self.reachable(&[zi], &wi, &|_, _| false)[xi];
        let excluded = !self.reachable(&[zi], &wi, &|p, _| p == xi)[yi];
        Ok(relevant && excluded)
    }

    /// Observed nodes that are instruments for x → y (unconditionally).
    pub fn instruments(&self, x: &str, y: &str) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for z in self.nodes() {
            if z != x && z != y && self.is_instrument(z, x, y, &[])? {
                out.push(z.to_string());
            }
        }
        Ok(out)
    }
}

/// Upper limit on the minimal separators enumerated for one query.
const MAX_SEPARATORS: usize = 200_000;

/// All minimal a–b vertex separators of an undirected graph (a, b non-adjacent).
fn minimal_separators(adj: &[BTreeSet<usize>], a: usize, b: usize) -> Result<Vec<Vec<usize>>> {
    if adj[a].contains(&b) {
        return Ok(Vec::new());
    }
    let n = adj.len();
    // Neighbourhood of the component of `start` in the graph minus `removed`.
    let component_border = |removed: &[bool], start: usize| -> Option<Vec<usize>> {
        if removed[start] {
            return None;
        }
        let mut seen = vec![false; n];
        let mut stack = vec![start];
        seen[start] = true;
        let mut border = BTreeSet::new();
        while let Some(v) = stack.pop() {
            for &w in &adj[v] {
                if removed[w] {
                    border.insert(w);
                } else if !seen[w] {
                    seen[w] = true;
                    stack.push(w);
                }
            }
        }
        if seen[a] {
            return None;
        }
        Some(border.into_iter().collect())
    };
    let mut removed = vec![false; n];
    removed[a] = true;
    for &v in &adj[a] {
        removed[v] = true;
    }
    let Some(close) = component_border(&removed, b) else {
        return Ok(Vec::new());
    };
    let mut found: BTreeSet<Vec<usize>> = BTreeSet::new();
    // Dense graphs can have exponentially many minimal separators; stop with
    // an error rather than exhaust memory.
    let mut queue = vec![close.clone()];
    found.insert(close);
    while let Some(s) = queue.pop() {
        for &x in &s {
            if adj[x].contains(&b) {
                continue;
            }
            let mut removed = vec![false; n];
            for &v in &s {
                removed[v] = true;
            }
            for &v in &adj[x] {
                removed[v] = true;
            }
            removed[a] = true;
            if let Some(next) = component_border(&removed, b) {
                // The border may include a (if a touches b's side): then it is no separator.
                if !next.contains(&a) && !next.is_empty() && found.insert(next.clone()) {
                    if found.len() > MAX_SEPARATORS {
                        return Err(Error::InvalidInput(format!(
                            "more than {MAX_SEPARATORS} minimal separators: too many adjustment sets to list; use minimum_adjustment_set"
                        )));
                    }
                    queue.push(next);
                }
            }
        }
    }
    // An empty separator exists when a and b are disconnected.
    let mut removed = vec![false; n];
    removed[a] = true;
    if component_border(&removed, b).is_some_and(|border| !border.contains(&a)) {
        return Ok(vec![Vec::new()]);
    }
    Ok(found.into_iter().collect())
}
