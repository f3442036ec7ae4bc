//! Mutated real files never panic a reader: every format's smallest fixture is
//! truncated, has bytes overwritten, or has a run of bytes inserted, and is read
//! both with detection and as its own format. The answer is a record set or an
//! `Error`, never a panic; an empty, binary-garbage or wrong-format file is an
//! `Error` naming the file.

use std::path::PathBuf;

use proptest::prelude::*;
use voltai_battery_data::cycler::{Format, read_cycler_file, read_cycler_file_as};
use voltai_battery_data::data_dir::dataset_dir;

const FIXTURES: [(&str, Format); 18] = [
    ("neware/TestFile.nda", Format::NewareNda),
    (
        "neware/123456789012_Unit27_Example_Data_File.ndax",
        Format::NewareNdax,
    ),
    ("maccor/maccor_test_file_4267-66-6519.041", Format::Maccor),
    ("maccor/sample_data_maccor.csv", Format::Maccor),
    (
        "maccor/maccor_test_file_4267-66-6519.EDA0001.041",
        Format::MaccorEda,
    ),
    ("arbin/sample_data_arbin.csv", Format::ArbinCsv),
    ("arbin/20160805_test001_45_cc_01.res", Format::ArbinRes),
    ("biologic/cp.mpr", Format::BiologicMpr),
    ("biologic/cp.mpt", Format::BiologicMpt),
    ("biologic_eis/zir.mpr", Format::BiologicMpr),
    ("basytec/sample_data_basytec.txt", Format::Basytec),
    ("pec/Test25195.csv", Format::Pec),
    ("gamry/eispot_data.dta", Format::GamryDta),
    ("zplot/exampleDataZPlot_noComments.z", Format::ZPlot),
    ("impedance_csv/exampleData.csv", Format::ImpedanceCsv),
    ("indigo/indigo_test_sample.h5", Format::IndigoH5),
    ("novonix/test_Nova_Form-CH01-01_short.csv", Format::Novonix),
    ("neware/neware_uio.csv", Format::NewareCsv),
];

fn fixture(k: usize) -> (Vec<u8>, Format, String) {
    let (rel, format) = FIXTURES[k];
    let bytes = std::fs::read(dataset_dir("cycler_formats").unwrap().join(rel)).unwrap();
    let name = rel.rsplit('/').next().unwrap_or(rel).to_string();
    (bytes, format, name)
}

fn scratch(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("voltai_fuzz_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[derive(Debug, Clone)]
enum Mutation {
    Truncate(f64),
    Overwrite(f64, Vec<u8>),
    Insert(f64, Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (0.0..1.0f64).prop_map(Mutation::Truncate),
        (0.0..1.0f64, proptest::collection::vec(any::<u8>(), 1..64))
            .prop_map(|(at, b)| Mutation::Overwrite(at, b)),
        (0.0..1.0f64, proptest::collection::vec(any::<u8>(), 1..64))
            .prop_map(|(at, b)| Mutation::Insert(at, b)),
    ]
}

fn apply(bytes: &[u8], m: &Mutation) -> Vec<u8> {
    // Mutations land in the first 16 KiB, where headers and column layouts live.
    let span = bytes.len().min(16 * 1024);
    let at = |f: f64| ((f * span as f64) as usize).min(bytes.len());
    let mut out = bytes.to_vec();
    match m {
        Mutation::Truncate(f) => out.truncate(at(*f)),
        Mutation::Overwrite(f, b) => {
            for (k, x) in b.iter().enumerate() {
                if let Some(slot) = out.get_mut(at(*f) + k) {
                    *slot = *x;
                }
            }
        }
        Mutation::Insert(f, b) => {
            let p = at(*f);
            out.splice(p..p, b.iter().copied());
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn mutated_files_give_records_or_errors(k in 0..FIXTURES.len(), m in mutation()) {
        let (bytes, format, name) = fixture(k);
        let p = scratch(&name, &apply(&bytes, &m));
        for result in [read_cycler_file(&p), read_cycler_file_as(&p, format)] {
            if let Err(e) = result {
                prop_assert!(e.to_string().contains(&name), "error without the file name: {e}");
            }
        }
    }

    #[test]
    fn garbage_is_an_error_for_every_format(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let p = scratch("garbage.bin", &bytes);
        for (_, format) in FIXTURES {
            if let Err(e) = read_cycler_file_as(&p, format) {
                prop_assert!(e.to_string().contains("garbage.bin"), "{e}");
            }
        }
    }
}

#[test]
fn empty_binary_and_wrong_format_files_are_errors() {
    let empty = scratch("empty.csv", b"");
    let e = read_cycler_file(&empty).unwrap_err().to_string();
    assert!(e.contains("empty.csv") && e.contains("empty"), "{e}");
    let junk = scratch("junk.dat", &[0u8, 159, 146, 150, 1, 2, 3, 0, 0, 7]);
    let e = read_cycler_file(&junk).unwrap_err().to_string();
    assert!(e.contains("junk.dat") && e.contains("tried"), "{e}");
    for (k, (_, format)) in FIXTURES.iter().enumerate() {
        for (j, (_, other)) in FIXTURES.iter().enumerate() {
            if format == other {
                continue;
            }
            let (bytes, _, name) = fixture(j);
            let p = scratch(&format!("wrong_{k}_{name}"), &bytes);
            // Read as the wrong format: an error, or (for layouts that happen to
            // share columns) records; never a panic.
            let _ = read_cycler_file_as(&p, *format);
        }
    }
    // A Latin-1 byte in a header is decoded, not refused.
    let (mut bytes, _, _) = fixture(11);
    let pos = bytes.windows(4).position(|w| w == b"Temp").unwrap();
    bytes.splice(pos..pos, [0xB0]);
    let p = scratch("latin1.csv", &bytes);
    assert!(read_cycler_file(&p).is_ok());
}
