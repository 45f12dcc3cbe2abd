//! The lottery's page, `docs/lottery.md`, is its specification: its worked example is drawn here
//! and must give the output the page prints, and the Python implementation written from that
//! page alone (`docs/lottery_reference.py`) must give the same bytes as this crate on random
//! inputs, seeds in any script included.

// A failed unwrap in a test helper fails that test, which is what it should do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use korpus_domain::rulebook::{ArmShares, Stratum};
use korpus_domain::selection::lottery::{LotteryInput, Seed, Unit, draw, output_text};
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};
use serde_json::{Value, json};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use uuid::Uuid;

fn docs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs")
}

/// The fenced block that follows `marker` in the page.
fn block_after(page: &str, marker: &str) -> String {
    let start = page.find(marker).unwrap_or_else(|| panic!("docs/lottery.md lacks {marker}"));
    let rest = &page[start..];
    let open = rest.find("```").unwrap();
    let body_start = open + rest[open..].find('\n').unwrap() + 1;
    let close = body_start + rest[body_start..].find("```").unwrap();
    rest[body_start..close].to_owned()
}

/// Reads the JSON form of an input (the reference script's) into the crate's types.
fn input_of(data: &Value) -> (LotteryInput, Seed) {
    let weights = data["weights"].as_array().unwrap();
    let w = |i: usize| weights[i].as_u64().unwrap() as u32;
    let strata = data["strata"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| Stratum::parse("strata", s.as_str().unwrap()).unwrap())
        .collect();
    let units = data["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| Unit {
            application_id: u["application_id"].as_str().unwrap().parse().unwrap(),
            stratum: u["stratum"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect(),
        })
        .collect();
    let input = LotteryInput {
        cohort: data["cohort"].as_i64().unwrap() as i32,
        region: data["region"].as_str().unwrap().to_owned(),
        weights: ArmShares { a: w(0), b: w(1), c: w(2) },
        strata,
        units,
    };
    (input, Seed::parse("seed", data["seed"].as_str().unwrap()).unwrap())
}

/// The crate's answer in the reference script's output format.
fn rust_answer(data: &Value) -> String {
    let (input, seed) = input_of(data);
    let d = draw(input, &seed).unwrap();
    format!(
        "{}input_sha256 {}\noutput_sha256 {}\n",
        output_text(&d.assignments),
        d.input_sha256,
        d.output_sha256
    )
}

fn python_answer(data: &Value) -> String {
    let mut child = Command::new("python3")
        .arg(docs().join("lottery_reference.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs (scripts/setup installs it)");
    child.stdin.take().unwrap().write_all(data.to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "the reference script failed on {data}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_worked_example_of_the_page_gives_the_output_it_prints() {
    let page = std::fs::read_to_string(docs().join("lottery.md")).unwrap();
    let data: Value = serde_json::from_str(&block_after(&page, "<!-- worked-example:input -->")).unwrap();
    let expected = block_after(&page, "<!-- worked-example:output -->");
    assert_eq!(rust_answer(&data), expected);
    let canonical = block_after(&page, "<!-- worked-example:canonical -->");
    let (input, _) = input_of(&data);
    assert_eq!(input.canonical().unwrap().text(), canonical);
}

#[test]
fn the_python_implementation_written_from_the_page_agrees_on_random_draws() {
    let mut rng = ChaCha8Rng::seed_from_u64(2017);
    let paths = ["host_org", "initiative_group"];
    let directions = ["education", "tourism", "other"];
    let seed_words = ["07", "13", "Қазақстан", "Ұлы дала", "тираж №5", "44", "ë", "z"];
    for case in 0..25 {
        let n = 1 + (rng.next_u32() % 60) as usize;
        let strata: Vec<&str> = match case % 3 {
            0 => vec!["region"],
            1 => vec!["region", "path"],
            _ => vec!["region", "direction", "path"],
        };
        let mut weights = [rng.next_u32() % 4, rng.next_u32() % 4, rng.next_u32() % 4];
        if weights.iter().all(|w| *w == 0) {
            weights[case % 3] = 1;
        }
        let units: Vec<Value> = (0..n)
            .map(|_| {
                let id = Uuid::from_u128(u128::from(rng.next_u64()) << 64 | u128::from(rng.next_u64()));
                let mut stratum = vec!["350000000".to_owned()];
                for s in &strata[1..] {
                    let values: &[&str] = if *s == "path" { &paths } else { &directions };
                    stratum.push(values[(rng.next_u32() as usize) % values.len()].to_owned());
                }
                json!({"application_id": id.to_string(), "stratum": stratum})
            })
            .collect();
        let words = 1 + rng.next_u32() % 5;
        let seed: Vec<&str> =
            (0..words).map(|_| seed_words[(rng.next_u32() as usize) % seed_words.len()]).collect();
        let data = json!({
            "cohort": 2017,
            "region": "350000000",
            "weights": weights,
            "strata": strata,
            "seed": format!("  {}\t", seed.join("   ")),
            "units": units,
        });
        assert_eq!(python_answer(&data), rust_answer(&data), "case {case}: {data}");
    }
}
