//! Times `minimal_adjustment_sets` on the random DAGs of
//! tools/reference/causal/adjustment_sets.json and on a random sparse
//! 1000-node DAG; `benches/compare/causal.py` runs it beside pgmpy.
//!
//! ```text
//! cargo run --release -p voltai-causal --example adjustment_timing
//! ```
//! Prints one JSON line.

use std::time::Instant;

use voltai_causal::CausalGraph;
use voltai_core::synthetic::SplitMix64;

fn main() -> Result<(), voltai_core::Error> {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tools/reference/causal/adjustment_sets.json");
    let text = std::fs::read_to_string(&path).map_err(|e| voltai_core::Error::io(&path, e))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| voltai_core::Error::InvalidInput(e.to_string()))?;
    let empty = Vec::new();
    let mut per_case = Vec::new();
    for c in json["cases"].as_array().unwrap_or(&empty) {
        let name = c["name"].as_str().unwrap_or("");
        if !name.starts_with("random") {
            continue;
        }
        let s = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
        let nodes: Vec<String> = c["nodes"]
            .as_array()
            .unwrap_or(&empty)
            .iter()
            .map(s)
            .collect();
        let edges: Vec<(String, String)> = c["edges"]
            .as_array()
            .unwrap_or(&empty)
            .iter()
            .map(|e| (s(&e[0]), s(&e[1])))
            .collect();
        let n: Vec<&str> = nodes.iter().map(String::as_str).collect();
        let e: Vec<(&str, &str)> = edges
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let g = CausalGraph::from_edges(&n, &e)?;
        let t = Instant::now();
        let reps = 100;
        for _ in 0..reps {
            g.minimal_adjustment_sets(&s(&c["x"]), &s(&c["y"]))?;
        }
        per_case.push(format!(
            "\"{name}\": {:.3e}",
            t.elapsed().as_secs_f64() / reps as f64
        ));
    }
    // A random sparse 1000-node DAG (about 1.3 parents per node, drawn from all
    // earlier nodes); the pair is the first ancestor/descendant pair found.
    let mut rng = SplitMix64::new(77);
    let names: Vec<String> = (0..1000).map(|i| format!("v{i}")).collect();
    let mut edges = Vec::new();
    for j in 1..1000usize {
        let k = if rng.uniform() < 0.7 { 1 } else { 2 };
        for _ in 0..k {
            let i = (rng.next_u64() as usize) % j;
            edges.push((names[i].as_str(), names[j].as_str()));
        }
    }
    edges.sort_unstable();
    edges.dedup();
    let n: Vec<&str> = names.iter().map(String::as_str).collect();
    let g = CausalGraph::from_edges(&n, &edges)?;
    let t = Instant::now();
    let y = "v999";
    let ancestors = g.ancestors(y)?;
    // The ancestor of y closest to the middle of the order: long paths both ways.
    let num = |a: &String| a[1..].parse::<i64>().unwrap_or(0);
    let x = ancestors
        .iter()
        .min_by_key(|a| (num(a) - 500).abs())
        .cloned()
        .unwrap_or_else(|| "v0".into());
    let sets = g.minimal_adjustment_sets(&x, y)?;
    let big_s = t.elapsed().as_secs_f64();
    println!(
        "{{\"cases\": {{{}}}, \"n1000_seconds\": {big_s:.3e}, \"n1000_sets\": {}, \"n1000_edges\": {}, \"n1000_pair\": \"{x} -> {y}\"}}",
        per_case.join(", "),
        sets.len(),
        edges.len()
    );
    Ok(())
}
