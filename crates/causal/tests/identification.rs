//! Identification against pgmpy 1.1.2 (tools/reference/causal/), against
//! brute force on random small DAGs, and the graph readers.

use proptest::prelude::*;
use voltai_causal::CausalGraph;
use voltai_core::synthetic::SplitMix64;

fn reference() -> serde_json::Value {
    let p = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tools/reference/causal/adjustment_sets.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn minimal_adjustment_sets_match_pgmpy() {
    let r = reference();
    let cases = r["cases"].as_array().unwrap();
    assert!(
        cases
            .iter()
            .filter(|c| c["name"].as_str().unwrap().starts_with("random"))
            .count()
            >= 20
    );
    for c in cases {
        let nodes = strings(&c["nodes"]);
        let edges: Vec<(String, String)> = c["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e[0].as_str().unwrap().into(), e[1].as_str().unwrap().into()))
            .collect();
        let n: Vec<&str> = nodes.iter().map(String::as_str).collect();
        let e: Vec<(&str, &str)> = edges
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let g = CausalGraph::from_edges(&n, &e).unwrap();
        let (x, y) = (c["x"].as_str().unwrap(), c["y"].as_str().unwrap());
        let want: Vec<Vec<String>> = c["sets"].as_array().unwrap().iter().map(strings).collect();
        let got = g.minimal_adjustment_sets(x, y).unwrap();
        assert_eq!(got, want, "{}: {x} → {y}", c["name"]);
        for s in &got {
            let z: Vec<&str> = s.iter().map(String::as_str).collect();
            assert!(g.is_backdoor_set(x, y, &z).unwrap());
        }
    }
}

#[test]
fn classic_graphs_by_hand() {
    // M-bias: adjusting for the collider M would open A → M ← B.
    let m = CausalGraph::from_edges(
        &["A", "B", "M", "X", "Y"],
        &[("A", "X"), ("A", "M"), ("B", "M"), ("B", "Y"), ("X", "Y")],
    )
    .unwrap();
    assert_eq!(
        m.minimal_adjustment_sets("X", "Y").unwrap(),
        vec![Vec::<String>::new()]
    );
    assert!(!m.is_backdoor_set("X", "Y", &["M"]).unwrap());
    assert!(m.is_backdoor_set("X", "Y", &["M", "A"]).unwrap());
    // Front door: X → M → Y with X ↔ Y.
    let mut fd = CausalGraph::from_edges(&["X", "M", "Y"], &[("X", "M"), ("M", "Y")]).unwrap();
    fd.add_bidirected("X", "Y").unwrap();
    assert!(
        fd.minimal_adjustment_sets("X", "Y").unwrap().is_empty(),
        "not identifiable by adjustment"
    );
    assert!(fd.is_frontdoor_set("X", "Y", &["M"]).unwrap());
    // Instrument: Z → X → Y, X ↔ Y.
    let mut iv = CausalGraph::from_edges(&["Z", "X", "Y"], &[("Z", "X"), ("X", "Y")]).unwrap();
    iv.add_bidirected("X", "Y").unwrap();
    assert_eq!(iv.instruments("X", "Y").unwrap(), vec!["Z".to_string()]);
    // Conditioning on X opens Z → X ↔ Y, so the IV graph implies nothing testable.
    assert!(iv.implied_independences().is_empty());
    let chain =
        CausalGraph::from_edges(&["a", "b", "c", "d"], &[("a", "b"), ("b", "c"), ("a", "d")])
            .unwrap();
    let ind: Vec<String> = chain
        .implied_independences()
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(ind, vec!["c ⊥ a | b", "d ⊥ b | a", "d ⊥ c | a"]);
}

#[test]
fn readers_and_errors_locate_problems() {
    let g = CausalGraph::from_dot("digraph g { // battery\n  temp -> c_rate -> life;\n  temp -> life; \"mat\" -> life [color=red];\n  u -> life [dir=both] }").unwrap();
    assert_eq!(g.nodes(), vec!["temp", "c_rate", "life", "mat", "u"]);
    assert_eq!(g.bidirected(), vec![("u", "life")]);
    let d = CausalGraph::from_dagitty(
        "dag {\n X [exposure]\n Y [outcome]\n Z -> X\n Y <- Z\n X -> Y\n bb=\"0,0,1,1\"\n}",
    )
    .unwrap();
    assert_eq!(
        d.minimal_adjustment_sets("X", "Y").unwrap(),
        vec![vec!["Z".to_string()]]
    );
    let back = CausalGraph::from_dot(&d.to_dot()).unwrap();
    assert_eq!(back.edges().len(), d.edges().len());
    for (text, line, col) in [
        ("digraph {\n a -> b\n b -> a }", 3, 4),
        ("dag { a -- b }", 1, 9),
        ("digraph { a -> }", 1, 13),
        ("digraph { a -> b", 1, 1),
    ] {
        match CausalGraph::from_dot(text) {
            Err(voltai_core::Error::Parse {
                line: l, column: c, ..
            }) => assert_eq!((l, c), (line, col), "{text}"),
            other => panic!("{text}: {other:?}"),
        }
    }
    let mut g = CausalGraph::from_edges(&["a", "b", "c"], &[("a", "b"), ("b", "c")]).unwrap();
    let e = g.add_edge("c", "a").unwrap_err().to_string();
    assert!(
        e.contains("cycle") && e.contains("a → b → c") || e.contains("c → a"),
        "{e}"
    );
    assert!(g.add_edge("a", "a").is_err());
    assert!(
        g.add_edge("a", "nope")
            .unwrap_err()
            .to_string()
            .contains("nope")
    );
    assert!(g.d_separated(&["a"], &["c"], &["a"]).is_err());
}

/// Brute force: X ⊥ Y | Z iff no path (as a node sequence in the skeleton) is
/// active — every collider in Z ∪ An(Z), every non-collider outside Z.
fn brute_dsep(n: usize, edges: &[(usize, usize)], x: usize, y: usize, z: &[usize]) -> bool {
    let adjacent = |a: usize, b: usize| edges.contains(&(a, b)) || edges.contains(&(b, a));
    let mut anc_z: Vec<bool> = vec![false; n];
    for &v in z {
        anc_z[v] = true;
    }
    loop {
        let mut changed = false;
        for &(a, b) in edges {
            if anc_z[b] && !anc_z[a] {
                anc_z[a] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    fn walk(
        path: &mut Vec<usize>,
        y: usize,
        n: usize,
        adjacent: &dyn Fn(usize, usize) -> bool,
        active: &dyn Fn(&[usize]) -> bool,
    ) -> bool {
        let last = *path.last().unwrap_or(&0);
        if last == y {
            return active(path);
        }
        for v in 0..n {
            if adjacent(last, v) && !path.contains(&v) {
                path.push(v);
                if walk(path, y, n, adjacent, active) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let active = |p: &[usize]| {
        p.windows(3).all(|w| {
            let collider = edges.contains(&(w[0], w[1])) && edges.contains(&(w[2], w[1]));
            if collider {
                anc_z[w[1]]
            } else {
                !z.contains(&w[1])
            }
        })
    };
    !walk(&mut vec![x], y, n, &adjacent, &active)
}

proptest! {
    #[test]
    fn d_separation_agrees_with_path_enumeration(seed in any::<u64>(), n in 3usize..8) {
        let mut rng = SplitMix64::new(seed);
        let names: Vec<String> = (0..n).map(|i| format!("v{i}")).collect();
        let mut edges = Vec::new();
        for j in 1..n { for i in 0..j { if rng.uniform() < 0.35 { edges.push((i, j)); } } }
        let e: Vec<(&str, &str)> = edges.iter().map(|&(a, b)| (names[a].as_str(), names[b].as_str())).collect();
        let nn: Vec<&str> = names.iter().map(String::as_str).collect();
        let g = CausalGraph::from_edges(&nn, &e).unwrap();
        for x in 0..n { for y in 0..n {
            if x == y { continue; }
            let z: Vec<usize> = (0..n).filter(|&v| v != x && v != y && rng.uniform() < 0.3).collect();
            let zn: Vec<&str> = z.iter().map(|&v| names[v].as_str()).collect();
            prop_assert_eq!(g.d_separated(&[&names[x]], &[&names[y]], &zn).unwrap(), brute_dsep(n, &edges, x, y, &z));
        }}
    }

    #[test]
    fn minimal_sets_agree_with_brute_force(seed in any::<u64>(), n in 4usize..9) {
        let mut rng = SplitMix64::new(seed);
        let names: Vec<String> = (0..n).map(|i| format!("v{i}")).collect();
        let mut edges = Vec::new();
        for j in 1..n { for i in 0..j { if rng.uniform() < 0.4 { edges.push((names[i].as_str(), names[j].as_str())); } } }
        let nn: Vec<&str> = names.iter().map(String::as_str).collect();
        let g = CausalGraph::from_edges(&nn, &edges).unwrap();
        let (x, y) = (names[1].as_str(), names[n - 1].as_str());
        let others: Vec<&str> = nn.iter().copied().filter(|v| *v != x && *v != y).collect();
        let mut valid: Vec<Vec<String>> = Vec::new();
        for mask in 0u32..(1 << others.len()) {
            let z: Vec<&str> = (0..others.len()).filter(|k| mask >> k & 1 == 1).map(|k| others[k]).collect();
            if g.is_backdoor_set(x, y, &z).unwrap() {
                valid.push(z.iter().map(|s| s.to_string()).collect());
            }
        }
        let mut minimal: Vec<Vec<String>> = valid.iter().filter(|s| !valid.iter().any(|t| t.len() < s.len() && t.iter().all(|v| s.contains(v)))).cloned().collect();
        for s in &mut minimal { s.sort(); }
        minimal.sort();
        prop_assert_eq!(g.minimal_adjustment_sets(x, y).unwrap(), minimal);
    }
}
