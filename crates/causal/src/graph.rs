//! Causal graphs: named nodes, directed edges, and bidirected edges for latent
//! confounders (each modelled as a hidden parent of both ends).

use std::collections::BTreeMap;

use petgraph::algo::toposort;
use petgraph::graphmap::DiGraphMap;
use serde::{Deserialize, Serialize};

use voltai_core::{Error, Result};

/// A directed acyclic graph over named variables, possibly with bidirected
/// edges A ↔ B standing for an unobserved common cause.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CausalGraph {
    names: Vec<String>,
    index: BTreeMap<String, usize>,
    /// Directed edges (parent, child) among observed and latent nodes.
    edges: Vec<(usize, usize)>,
    /// Which nodes are latent (introduced for bidirected edges).
    latent: Vec<bool>,
    /// The bidirected edges as the user wrote them.
    bidirected: Vec<(usize, usize)>,
    /// Adjacency, rebuilt on change: parents and children per node.
    #[serde(skip)]
    parents: Vec<Vec<usize>>,
    #[serde(skip)]
    children: Vec<Vec<usize>>,
}

impl CausalGraph {
    /// An empty graph.
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds a graph from node names and `(parent, child)` edges.
    pub fn from_edges(nodes: &[&str], edges: &[(&str, &str)]) -> Result<Self> {
        let mut g = CausalGraph::new();
        for n in nodes {
            g.add_node(n)?;
        }
        for (a, b) in edges {
            g.add_edge(a, b)?;
        }
        Ok(g)
    }

    /// Adds a node (an existing name is an error).
    pub fn add_node(&mut self, name: &str) -> Result<usize> {
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::InvalidInput("node names must not be empty".into()));
        }
        if self.index.contains_key(name) {
            return Err(Error::InvalidInput(format!("node `{name}` already exists")));
        }
        Ok(self.push_node(name.to_string(), false))
    }

    fn push_node(&mut self, name: String, latent: bool) -> usize {
        let id = self.names.len();
        self.index.insert(name.clone(), id);
        self.names.push(name);
        self.latent.push(latent);
        self.parents.push(Vec::new());
        self.children.push(Vec::new());
        id
    }

    /// The id of a node, or an error naming the unknown node.
    pub fn id(&self, name: &str) -> Result<usize> {
        self.index
            .get(name.trim())
            .copied()
            .filter(|&i| !self.latent[i])
            .ok_or_else(|| Error::InvalidInput(format!("unknown node `{}`", name.trim())))
    }

    /// Adds `parent → child`; a self-loop, an unknown node or a cycle is an
    /// error naming the nodes (the graph is left unchanged).
    pub fn add_edge(&mut self, parent: &str, child: &str) -> Result<()> {
        let (a, b) = (self.id(parent)?, self.id(child)?);
        if a == b {
            return Err(Error::InvalidInput(format!("self-loop on `{parent}`")));
        }
        if self.children[a].contains(&b) {
            return Ok(());
        }
        if self.reaches(b, a) {
            let path = self
                .path(b, a)
                .iter()
                .map(|&i| self.names[i].clone())
                .collect::<Vec<_>>()
                .join(" → ");
            return Err(Error::InvalidInput(format!(
                "edge {parent} → {child} would close the cycle {parent} → {path}"
            )));
        }
        self.link(a, b);
        Ok(())
    }

    fn link(&mut self, a: usize, b: usize) {
        self.edges.push((a, b));
        self.children[a].push(b);
        self.parents[b].push(a);
    }

    /// Adds `a ↔ b` (a latent common cause of a and b).
    pub fn add_bidirected(&mut self, a: &str, b: &str) -> Result<()> {
        let (ia, ib) = (self.id(a)?, self.id(b)?);
        if ia == ib {
            return Err(Error::InvalidInput(format!(
                "bidirected self-loop on `{a}`"
            )));
        }
        let u = self.push_node(
            format!("__latent_{}_{}", self.names[ia], self.names[ib]),
            true,
        );
        self.link(u, ia);
        self.link(u, ib);
        self.bidirected.push((ia, ib));
        Ok(())
    }

    fn reaches(&self, from: usize, to: usize) -> bool {
        !self.path(from, to).is_empty() || from == to
    }

    /// A directed path from `from` to `to` (empty if none), by DFS.
    fn path(&self, from: usize, to: usize) -> Vec<usize> {
        let mut prev = vec![usize::MAX; self.names.len()];
        let mut stack = vec![from];
        prev[from] = from;
        while let Some(v) = stack.pop() {
            if v == to {
                let mut p = vec![v];
                let mut c = v;
                while c != from {
                    c = prev[c];
                    p.push(c);
                }
                p.reverse();
                return p[1..].to_vec();
            }
            for &w in &self.children[v] {
                if prev[w] == usize::MAX {
                    prev[w] = v;
                    stack.push(w);
                }
            }
        }
        Vec::new()
    }

    /// Number of nodes, latent ones included.
    pub(crate) fn n_all(&self) -> usize {
        self.names.len()
    }

    /// Observed node names in insertion order.
    pub fn nodes(&self) -> Vec<&str> {
        (0..self.names.len())
            .filter(|&i| !self.latent[i])
            .map(|i| self.names[i].as_str())
            .collect()
    }

    /// Name of a node id.
    pub fn name(&self, id: usize) -> &str {
        &self.names[id]
    }

    /// True for latent helper nodes.
    pub(crate) fn is_latent(&self, id: usize) -> bool {
        self.latent[id]
    }

    /// Parents of a node id (latent ones included).
    pub(crate) fn parents_of(&self, id: usize) -> &[usize] {
        &self.parents[id]
    }

    /// Children of a node id.
    pub(crate) fn children_of(&self, id: usize) -> &[usize] {
        &self.children[id]
    }

    /// Observed directed edges as name pairs.
    pub fn edges(&self) -> Vec<(&str, &str)> {
        self.edges
            .iter()
            .filter(|(a, _)| !self.latent[*a])
            .map(|&(a, b)| (self.names[a].as_str(), self.names[b].as_str()))
            .collect()
    }

    /// Bidirected edges as name pairs.
    pub fn bidirected(&self) -> Vec<(&str, &str)> {
        self.bidirected
            .iter()
            .map(|&(a, b)| (self.names[a].as_str(), self.names[b].as_str()))
            .collect()
    }

    /// A topological order of the observed nodes (petgraph's toposort).
    pub fn topological_order(&self) -> Result<Vec<&str>> {
        let mut g: DiGraphMap<usize, ()> = DiGraphMap::new();
        for i in 0..self.names.len() {
            g.add_node(i);
        }
        for &(a, b) in &self.edges {
            g.add_edge(a, b, ());
        }
        let order = toposort(&g, None).map_err(|c| {
            Error::InvalidInput(format!(
                "graph has a cycle through `{}`",
                self.names[c.node_id()]
            ))
        })?;
        Ok(order
            .into_iter()
            .filter(|&i| !self.latent[i])
            .map(|i| self.names[i].as_str())
            .collect())
    }

    /// Rebuilds adjacency after deserialisation.
    pub fn rebuild(&mut self) {
        let n = self.names.len();
        self.parents = vec![Vec::new(); n];
        self.children = vec![Vec::new(); n];
        for &(a, b) in &self.edges {
            self.children[a].push(b);
            self.parents[b].push(a);
        }
    }
}
