//! Parsing the shared structure files: neighbour lists against pymatgen's
//! `get_all_neighbors` (tools/reference/graph/neighbors.py, version stored
//! in the JSON), round trips through our writers, and fuzzed bad input.

use std::path::PathBuf;

use proptest::prelude::*;
use voltai_battery_data::data_dir::dataset_dir;
use voltai_graph_nn::io::{
    parse_cif, parse_extxyz, parse_poscar, read_structure, write_cif, write_poscar,
};
use voltai_graph_nn::neighbors::{NeighborMode, neighbors};

fn materials() -> PathBuf {
    dataset_dir("materials").expect("shared materials data")
}

fn reference() -> serde_json::Value {
    let p = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tools/reference/graph/neighbors.json"
    );
    serde_json::from_str(&std::fs::read_to_string(p).expect("reference file")).expect("json")
}

#[test]
fn neighbour_lists_match_pymatgen_within_8_angstrom() {
    let r = reference();
    let cutoff = r["cutoff"].as_f64().unwrap();
    let structures = r["structures"].as_object().unwrap();
    assert!(structures.len() >= 40);
    let mut disordered = 0;
    for (name, want) in structures {
        let path = match name.strip_prefix("<reference>/") {
            Some(f) => PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../tools/reference/graph"
            ))
            .join(f),
            None => materials().join(name),
        };
        let s = read_structure(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            s.len() as u64,
            want["n_sites"].as_u64().unwrap(),
            "{name}: sites"
        );
        assert_eq!(
            s.is_ordered(),
            want["ordered"].as_bool().unwrap(),
            "{name}: ordered"
        );
        disordered += usize::from(!s.is_ordered());
        let list = neighbors(&s, NeighborMode::Radius { cutoff }).unwrap();
        for site in want["sites"].as_array().unwrap() {
            // pymatgen orders sites its own way: match by position.
            let f: Vec<f64> = site["frac"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect();
            let i = s
                .sites
                .iter()
                .position(|x| {
                    (0..3).all(|k| {
                        let d = (x.frac[k] - f[k]).rem_euclid(1.0);
                        d.min(1.0 - d) < 1e-6
                    })
                })
                .unwrap_or_else(|| panic!("{name}: no site at {f:?}"));
            let got: Vec<f64> = list.per_site[i].iter().map(|n| n.distance).collect();
            assert_eq!(
                got.len() as u64,
                site["count"].as_u64().unwrap(),
                "{name}: site {i} count"
            );
            for (a, b) in got.iter().zip(site["nearest"].as_array().unwrap()) {
                assert!(
                    (a - b.as_f64().unwrap()).abs() < 1e-6,
                    "{name}: site {i}: {a} vs {b}"
                );
            }
            let sum: f64 = got.iter().sum();
            let sum_sq: f64 = got.iter().map(|d| d * d).sum();
            let (ws, wq) = (
                site["sum"].as_f64().unwrap(),
                site["sum_sq"].as_f64().unwrap(),
            );
            assert!(
                (sum - ws).abs() < 1e-6 * ws.max(1.0),
                "{name}: site {i} sum {sum} vs {ws}"
            );
            assert!(
                (sum_sq - wq).abs() < 1e-6 * wq.max(1.0),
                "{name}: site {i} sum_sq"
            );
        }
    }
    assert!(
        disordered >= 3,
        "disordered structures covered: {disordered}"
    );
}

#[test]
fn every_shared_cif_and_poscar_round_trips() {
    let m = materials();
    let mut cifs = Vec::new();
    for dir in [
        "pymatgen_structures/cif",
        "obelix_ionic_conductivity/cifs",
        "cgcnn_sample/sample-regression",
        "ase_dcdft_elements/cif",
    ] {
        for e in std::fs::read_dir(m.join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "cif") {
                cifs.push(p);
            }
        }
    }
    assert!(cifs.len() > 350, "{}", cifs.len());
    for p in &cifs {
        let s = read_structure(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let back = parse_cif(&write_cif(&s), "written").unwrap();
        assert!(back.matches(&s, 1e-9), "{}", p.display());
    }
    let mut poscars = 0;
    for dir in [
        "pymatgen_structures/poscar",
        "alignn_jarvis_bandgap_sample/structures",
    ] {
        for e in std::fs::read_dir(m.join(dir)).unwrap() {
            let p = e.unwrap().path();
            let s = read_structure(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let back = parse_poscar(&write_poscar(&s, "round trip").unwrap(), "written").unwrap();
            // Sites come back grouped by element; POSCARs already are.
            assert!(back.matches(&s, 1e-12), "{}", p.display());
            assert_eq!(back.lattice.matrix(), s.lattice.matrix());
            poscars += 1;
        }
    }
    assert_eq!(poscars, 70);
}

#[test]
fn cif_poscar_and_json_agree_on_lifepo4() {
    let m = materials().join("pymatgen_structures");
    let cif = read_structure(m.join("cif/LiFePO4.cif")).unwrap();
    let poscar = read_structure(m.join("poscar/LiFePO4.vasp")).unwrap();
    assert_eq!(cif.formula(), "Li4 Fe4 P4 O16");
    assert!((cif.lattice.volume() - poscar.lattice.volume()).abs() < 1e-4);
    // pymatgen 2026.10.16: `Structure.from_file(...).density` = 3.4974004865 g/cm³.
    assert!(
        (cif.density() - 3.497_400_486_5).abs() < 1e-6,
        "{}",
        cif.density()
    );
}

fn mutate(text: &str, pos: usize, byte: u8) -> String {
    let mut b = text.as_bytes().to_vec();
    if !b.is_empty() {
        let p = pos % b.len();
        b[p] = byte;
    }
    String::from_utf8_lossy(&b).into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn corrupted_files_never_panic(pos in 0usize..4000, byte in any::<u8>(), cut in 0usize..4000) {
        let m = materials();
        let cif = std::fs::read_to_string(m.join("pymatgen_structures/cif/LiFePO4.cif")).unwrap();
        let poscar = std::fs::read_to_string(m.join("pymatgen_structures/poscar/LiFePO4.vasp")).unwrap();
        for text in [mutate(&cif, pos, byte), cif.get(..cut).unwrap_or(&cif).to_string()] {
            let _ = parse_cif(&text, "fuzz");
        }
        for text in [mutate(&poscar, pos, byte), poscar.get(..cut).unwrap_or(&poscar).to_string()] {
            let _ = parse_poscar(&text, "fuzz");
            let _ = parse_extxyz(&text, "fuzz");
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = parse_cif(&text, "fuzz");
        let _ = parse_poscar(&text, "fuzz");
        let _ = parse_extxyz(&text, "fuzz");
    }
}

/// Simple cubic (a = 3 Å): the six nearest bonds of the atom are ±x, ±y,
/// ±z, so its 30 ordered bond pairs are 24 right angles and 6 straight
/// ones; each pair joins two edges of the same atom, and the angle features
/// peak at the centre nearest the cosine.
#[test]
fn bond_angles_of_simple_cubic_are_right_and_straight() {
    use voltai_graph_nn::graph::{CrystalGraph, GraphConfig};
    use voltai_graph_nn::lattice::Lattice;
    use voltai_graph_nn::structure::{Site, Structure};
    let lattice = Lattice::from_parameters(3.0, 3.0, 3.0, 90.0, 90.0, 90.0).unwrap();
    let s = Structure::new(lattice, vec![Site::ordered(3, [0.0; 3]).unwrap()]).unwrap();
    let g = CrystalGraph::new(&s, &GraphConfig::default()).unwrap();
    assert_eq!(g.num_edges(), 12);
    assert_eq!(g.num_triplets(), 30);
    let right = g.cos_angles.iter().filter(|c| c.abs() < 1e-12).count();
    let straight = g
        .cos_angles
        .iter()
        .filter(|c| (**c + 1.0).abs() < 1e-12)
        .count();
    assert_eq!((right, straight), (24, 6));
    for (t, [a, b]) in g.triplets.iter().enumerate() {
        assert_ne!(a, b);
        assert!(
            *a < 6 && *b < 6,
            "triplet {t} uses a bond beyond the six nearest"
        );
        assert_eq!(g.sources[*a], g.sources[*b]);
        let row = g.angles.row(t);
        // 8 centres over [−1, 1]: −1 is centre 0; 0 lies between centres 3 and 4.
        let peak = row
            .iter()
            .enumerate()
            .max_by(|x, y| x.1.total_cmp(y.1))
            .unwrap()
            .0;
        if (g.cos_angles[t] + 1.0).abs() < 1e-12 {
            assert_eq!(peak, 0);
            assert!((row[0] - 1.0).abs() < 1e-6);
        } else {
            assert!(peak == 3 || peak == 4);
        }
    }
    // Graph-level descriptors when asked for; a batch cannot mix graphs
    // with and without them.
    let with_globals = CrystalGraph::new(
        &s,
        &GraphConfig {
            ionic_descriptors: true,
            ..GraphConfig::default()
        },
    )
    .unwrap();
    assert_eq!(
        with_globals.globals,
        voltai_graph_nn::descriptors::ionic_descriptors(&s)
            .unwrap()
            .to_features()
    );
    assert!(g.globals.is_empty());
    let cpu = burn::tensor::Device::flex();
    assert!(voltai_graph_nn::graph::GraphBatch::new(&[&g, &with_globals], &cpu).is_err());
    let batch =
        voltai_graph_nn::graph::GraphBatch::new(&[&with_globals, &with_globals], &cpu).unwrap();
    assert_eq!(batch.globals.unwrap().dims(), [2, 5]);
    // No angles when asked for none; a one-bin expansion is refused.
    let none = GraphConfig {
        angle_neighbors: 0,
        ..GraphConfig::default()
    };
    assert_eq!(CrystalGraph::new(&s, &none).unwrap().num_triplets(), 0);
    let one_bin = GraphConfig {
        angle_bins: 1,
        ..GraphConfig::default()
    };
    assert!(CrystalGraph::new(&s, &one_bin).is_err());
}
