//! The lottery's page, `docs/lottery.md`, is its specification: its worked examples (of
//! `korpus-lottery/2` and `/1`) are drawn here and must give the output the page prints, its
//! example of `below(n)` must be what the stream gives, and the Python implementation written
//! from that page alone (`docs/lottery_reference.py`) must give the same bytes as this crate on
//! random inputs, seeds in any script included.

// A failed unwrap in a test helper fails that test, which is what it should do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use korpus_domain::rulebook::{ArmShares, Stratum};
use korpus_domain::selection::lottery::{
    Algorithm, LotteryInput, Seed, Stream, Unit, draw_with, output_text,
};
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};
use serde_json::{Value, json};
use sha2::Digest;
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

/// The algorithm a JSON input names (`korpus-lottery/2` when it names none).
fn algorithm_of(data: &Value) -> Algorithm {
    Algorithm::parse(data["algorithm"].as_str().unwrap_or("korpus-lottery/2")).unwrap()
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
            members: u["members"]
                .as_array()
                .map(|m| m.iter().map(|v| v.as_str().unwrap().to_owned()).collect())
                .unwrap_or_default(),
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
    let d = draw_with(algorithm_of(data), input, &seed).unwrap();
    format!(
        "{}input_sha256 {}\noutput_sha256 {}\n",
        output_text(&d.assignments),
        d.input_sha256,
        d.output_sha256
    )
}

/// The reference script's standard output and standard error for `data`, run with `args`.
fn python(args: &[&str], data: &Value) -> (String, String) {
    let mut child = Command::new("python3")
        .arg(docs().join("lottery_reference.py"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs (scripts/setup installs it)");
    child.stdin.take().unwrap().write_all(data.to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "the reference script failed on {data}: {err}");
    (String::from_utf8(out.stdout).unwrap(), err)
}

fn python_answer(data: &Value) -> String {
    python(&[], data).0
}

/// Checks one worked example of the page: the output (drawn by this crate), the canonical input,
/// and the trace of draws (as the reference script explains it), each as printed.
fn check_worked_example(page: &str, name: &str) {
    let data: Value = serde_json::from_str(&block_after(page, &format!("<!-- {name}:input -->"))).unwrap();
    let expected = block_after(page, &format!("<!-- {name}:output -->"));
    assert_eq!(rust_answer(&data), expected, "{name}");
    assert_eq!(python_answer(&data), expected, "{name}");
    let canonical = block_after(page, &format!("<!-- {name}:canonical -->"));
    let (input, _) = input_of(&data);
    assert_eq!(input.canonical().unwrap().text_of(algorithm_of(&data)), canonical, "{name}");
    let trace = block_after(page, &format!("<!-- {name}:trace -->"));
    let explained = python(&["--explain"], &data).1;
    let from = explained.find("stratum ").unwrap();
    assert_eq!(&explained[from..], trace, "{name}");
}

#[test]
fn the_worked_example_of_the_page_gives_the_output_it_prints() {
    let page = std::fs::read_to_string(docs().join("lottery.md")).unwrap();
    check_worked_example(&page, "worked-example");
    assert!(page.contains("korpus-lottery/2\ncohort\t2017"), "the example is of version 2");
}

#[test]
fn the_worked_example_of_version_1_still_gives_its_output() {
    let page = std::fs::read_to_string(docs().join("lottery.md")).unwrap();
    check_worked_example(&page, "worked-example-v1");
}

#[test]
fn the_example_of_below_discards_what_the_page_says() {
    let page = std::fs::read_to_string(docs().join("lottery.md")).unwrap();
    let expected = block_after(&page, "<!-- below-example -->");
    let key: [u8; 32] = sha2::Sha256::digest(b"korpus-lottery below(n) example").into();
    let mut stream = Stream::from_key(key);
    let mut ours = String::new();
    let mut discarded = 0;
    for n in [(1u64 << 63) + 1, 3] {
        let r = (u128::from(u64::MAX) + 1) % u128::from(n);
        ours.push_str(&format!(
            "below({n}): 2^64 mod {n} = {r}, draws from {} on are rejected\n",
            (u128::from(u64::MAX) + 1) - r
        ));
        let mut lines = Vec::new();
        let value = stream.below_with(n, |x, kept| lines.push((x, kept)));
        for (x, kept) in lines {
            if kept {
                ours.push_str(&format!("    draw {x} -> below({n}) = {value}\n"));
            } else {
                discarded += 1;
                ours.push_str(&format!("    draw {x} rejected for n = {n}\n"));
            }
        }
    }
    assert_eq!(discarded, 1, "the example takes the rejection branch");
    assert_eq!(ours, expected);
    let data = json!({"key": hex::encode(key), "n": [(1u64 << 63) + 1, 3]});
    assert_eq!(python(&["--below"], &data).0, expected);
}

#[test]
fn the_python_implementation_written_from_the_page_agrees_on_random_draws() {
    let mut rng = ChaCha8Rng::seed_from_u64(2017);
    let paths = ["host_org", "initiative_group"];
    let directions = ["education", "tourism", "other"];
    let seed_words =
        ["07", "13", "Қазақстан", "Ұлы\u{3000}дала", "тираж\u{a0}№5", "44", "ë", "z\u{feff}", "\u{2028}"];
    for case in 0..32 {
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
            .map(|i| {
                let id = Uuid::from_u128(u128::from(rng.next_u64()) << 64 | u128::from(rng.next_u64()));
                let mut stratum = vec!["350000000".to_owned()];
                for s in &strata[1..] {
                    let values: &[&str] = if *s == "path" { &paths } else { &directions };
                    stratum.push(values[(rng.next_u32() as usize) % values.len()].to_owned());
                }
                // 3 to 5 members, unique across the groups, in no order.
                let members: Vec<String> = (0..3 + rng.next_u32() % 3)
                    .map(|k| format!("{:07}{:05}", rng.next_u32() % 10_000_000, i * 10 + k as usize))
                    .collect();
                json!({"application_id": id.to_string(), "stratum": stratum, "members": members})
            })
            .collect();
        let words = 1 + rng.next_u32() % 5;
        let seed: Vec<&str> =
            (0..words).map(|_| seed_words[(rng.next_u32() as usize) % seed_words.len()]).collect();
        let data = json!({
            "algorithm": if case % 4 == 3 { "korpus-lottery/1" } else { "korpus-lottery/2" },
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
