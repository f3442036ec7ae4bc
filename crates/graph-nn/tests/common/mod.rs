//! Shared by the test binaries: real OBELiX graphs and the lock that keeps
//! seeded model initialisations one at a time.

use std::sync::Mutex;

use voltai_battery_data::data_dir::dataset_dir;
use voltai_graph_nn::graph::{CrystalGraph, GraphConfig};
use voltai_graph_nn::io::read_structure;
use voltai_graph_nn::obelix::{self, Censoring, Part};

// burn's CPU generator is process-wide: tests that initialise models run
// one at a time so each sees only its own seed.
pub static SERIAL: Mutex<()> = Mutex::new(());

pub fn obelix_graphs(n: usize) -> (Vec<CrystalGraph>, Vec<f64>) {
    let dir = dataset_dir("materials")
        .unwrap()
        .join("obelix_ionic_conductivity");
    let entries = obelix::load(&dir).unwrap();
    let cfg = GraphConfig::default();
    let mut graphs = Vec::new();
    let mut y = Vec::new();
    for e in entries.iter().filter(|e| e.part == Part::Train) {
        let (Some(cif), Some(t)) = (&e.cif, e.log10_conductivity(Censoring::AtBound)) else {
            continue;
        };
        let s = read_structure(cif).unwrap();
        if s.len() > 120 {
            continue; // keep the test fast
        }
        graphs.push(CrystalGraph::new(&s, &cfg).unwrap());
        y.push(t);
        if graphs.len() == n {
            break;
        }
    }
    (graphs, y)
}
