//! Graph queries: ancestors, descendants, d-separation (linear-time
//! reachability, "Bayes ball"), and the implied conditional independences.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::graph::CausalGraph;
use voltai_core::{Error, Result};

impl CausalGraph {
    pub(crate) fn ids(&self, names: &[&str]) -> Result<Vec<usize>> {
        names.iter().map(|n| self.id(n)).collect()
    }

    pub(crate) fn names_of(&self, ids: &[usize]) -> Vec<String> {
        ids.iter().map(|&i| self.name(i).to_string()).collect()
    }

    /// Ancestors (by id, including the start nodes) following parent links.
    pub(crate) fn ancestor_mask(&self, start: &[usize]) -> Vec<bool> {
        self.closure(start, |g, v| g.parents_of(v))
    }

    /// Descendants (by id, including the start nodes).
    pub(crate) fn descendant_mask(&self, start: &[usize]) -> Vec<bool> {
        self.closure(start, |g, v| g.children_of(v))
    }

    fn closure<'a>(
        &'a self,
        start: &[usize],
        next: impl Fn(&'a Self, usize) -> &'a [usize],
    ) -> Vec<bool> {
        let mut seen = vec![false; self.n_all()];
        let mut stack: Vec<usize> = start.to_vec();
        for &s in start {
            seen[s] = true;
        }
        while let Some(v) = stack.pop() {
            for &w in next(self, v) {
                if !seen[w] {
                    seen[w] = true;
                    stack.push(w);
                }
            }
        }
        seen
    }

    fn observed(&self, mask: &[bool], exclude: &[usize]) -> Vec<String> {
        (0..mask.len())
            .filter(|&i| mask[i] && !self.is_latent(i) && !exclude.contains(&i))
            .map(|i| self.name(i).to_string())
            .collect()
    }

    /// Observed ancestors of `node` (not including itself).
    pub fn ancestors(&self, node: &str) -> Result<Vec<String>> {
        let i = self.id(node)?;
        Ok(self.observed(&self.ancestor_mask(&[i]), &[i]))
    }

    /// Observed descendants of `node` (not including itself).
    pub fn descendants(&self, node: &str) -> Result<Vec<String>> {
        let i = self.id(node)?;
        Ok(self.observed(&self.descendant_mask(&[i]), &[i]))
    }

    /// Parents of an observed node (latent helpers excluded).
    pub fn parents(&self, node: &str) -> Result<Vec<String>> {
        let i = self.id(node)?;
        Ok(self
            .parents_of(i)
            .iter()
            .filter(|&&p| !self.is_latent(p))
            .map(|&p| self.name(p).to_string())
            .collect())
    }

    /// Children of a node.
    pub fn children(&self, node: &str) -> Result<Vec<String>> {
        let i = self.id(node)?;
        Ok(self.names_of(self.children_of(i)))
    }

    /// Nodes reachable from `x` by an active trail given `z`, ignoring the
    /// edges `skip(parent, child)` (Koller & Friedman 2009, Algorithm 3.1).
    pub(crate) fn reachable(
        &self,
        x: &[usize],
        z: &[usize],
        skip: &dyn Fn(usize, usize) -> bool,
    ) -> Vec<bool> {
        let n = self.n_all();
        let mut in_z = vec![false; n];
        for &v in z {
            in_z[v] = true;
        }
        let anc_z = self.ancestor_mask(z);
        // visited[v][0]: arrived from a child (going up); [1]: from a parent (going down).
        let mut visited = vec![[false; 2]; n];
        let mut reach = vec![false; n];
        let mut queue: VecDeque<(usize, usize)> = x.iter().map(|&v| (v, 0)).collect();
        while let Some((v, dir)) = queue.pop_front() {
            if visited[v][dir] {
                continue;
            }
            visited[v][dir] = true;
            if !in_z[v] {
                reach[v] = true;
            }
            if dir == 0 && !in_z[v] {
                for &p in self.parents_of(v) {
                    if !skip(p, v) {
                        queue.push_back((p, 0));
                    }
                }
                for &c in self.children_of(v) {
                    if !skip(v, c) {
                        queue.push_back((c, 1));
                    }
                }
            } else if dir == 1 {
                if !in_z[v] {
                    for &c in self.children_of(v) {
                        if !skip(v, c) {
                            queue.push_back((c, 1));
                        }
                    }
                }
                if anc_z[v] {
                    for &p in self.parents_of(v) {
                        if !skip(p, v) {
                            queue.push_back((p, 0));
                        }
                    }
                }
            }
        }
        reach
    }

    /// Whether every node of `x` is d-separated from every node of `y` given `z`.
    pub fn d_separated(&self, x: &[&str], y: &[&str], z: &[&str]) -> Result<bool> {
        let (xi, yi, zi) = (self.ids(x)?, self.ids(y)?, self.ids(z)?);
        if let Some(&v) = xi.iter().chain(&yi).find(|v| zi.contains(v)) {
            return Err(Error::InvalidInput(format!(
                "`{}` is both tested and conditioned on",
                self.name(v)
            )));
        }
        if let Some(&v) = xi.iter().find(|v| yi.contains(v)) {
            return Err(Error::InvalidInput(format!(
                "`{}` is on both sides",
                self.name(v)
            )));
        }
        let r = self.reachable(&xi, &zi, &|_, _| false);
        Ok(!yi.iter().any(|&v| r[v]))
    }

    /// The conditional independences implied by the local Markov property: for
    /// every pair of non-adjacent observed nodes (u, v) with v not a descendant of
    /// u, u ⊥ v | Pa(u) — dagitty's "basis set". With bidirected edges the same
    /// rule is applied to the observed parents and each statement is kept only
    /// if d-separation confirms it.
    pub fn implied_independences(&self) -> Vec<Independence> {
        let order = self.topological_order().unwrap_or_default();
        let mut out = Vec::new();
        for (k, u) in order.iter().enumerate() {
            let Ok(ui) = self.id(u) else { continue };
            let pa = self.parents(u).unwrap_or_default();
            let desc = self.descendant_mask(&[ui]);
            for v in &order[..k] {
                let Ok(vi) = self.id(v) else { continue };
                let adjacent =
                    self.parents_of(ui).contains(&vi) || self.children_of(ui).contains(&vi);
                if adjacent || desc[vi] {
                    continue;
                }
                let mut given: Vec<String> =
                    pa.iter().filter(|p| p.as_str() != *v).cloned().collect();
                given.sort();
                // With latent parents the local rule can fail; keep only what d-separation confirms.
                let g: Vec<&str> = given.iter().map(String::as_str).collect();
                if self.d_separated(&[u], &[v], &g).unwrap_or(false) {
                    out.push(Independence {
                        a: u.to_string(),
                        b: v.to_string(),
                        given,
                    });
                }
            }
        }
        out
    }
}

/// A conditional independence statement a ⊥ b | given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Independence {
    /// First variable.
    pub a: String,
    /// Second variable.
    pub b: String,
    /// Conditioning set.
    pub given: Vec<String>,
}

impl std::fmt::Display for Independence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.given.is_empty() {
            write!(f, "{} ⊥ {}", self.a, self.b)
        } else {
            write!(f, "{} ⊥ {} | {}", self.a, self.b, self.given.join(", "))
        }
    }
}
