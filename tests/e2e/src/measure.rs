//! What the desk's benchmarks read of a running desk: its processes and their memory (from
//! `/proc/PID/smaps_rollup`), and the gaps between the window's animation frames.

use crate::{Desk, Error};

/// The desk's process (one runs at a time in a benchmark): the one running `binary_name`.
pub fn desk_pid(binary_name: &str) -> Option<u32> {
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|entry| {
        let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
        let exe = std::fs::read_link(format!("/proc/{pid}/exe")).ok()?;
        (exe.file_name()?.to_str()? == binary_name).then_some(pid)
    })
}

/// `pid` and all its descendants (WebKit's web and network processes), `pid` first.
pub fn process_tree(pid: u32) -> Vec<u32> {
    let children = |pid: u32| -> Vec<u32> {
        std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|c| c.parse().ok())
            .collect()
    };
    let mut tree = Vec::new();
    let mut queue = vec![pid];
    while let Some(p) = queue.pop() {
        tree.push(p);
        queue.extend(children(p));
    }
    tree
}

/// One process's memory, in MB.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Memory {
    /// Its pid.
    pub pid: u32,
    /// Its name (`korpus-desk`, `WebKitWebProces`...).
    pub name: String,
    /// Resident.
    pub rss: f64,
    /// Proportional: shared pages divided among the processes that map them.
    pub pss: f64,
    /// Its own: anonymous pages (heap, stacks), no file's.
    pub anonymous: f64,
}

/// The memory of process `pid`, from `/proc/PID/smaps_rollup`.
pub fn memory(pid: u32) -> Memory {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    let field = |name: &str| {
        rollup
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default().trim().to_owned();
    Memory { pid, name, rss: field("Rss:"), pss: field("Pss:"), anonymous: field("Anonymous:") }
}

/// Starts counting the window's animation frames: every `requestAnimationFrame` callback notes
/// the gap since the one before, and the longest gap is kept until [`longest_frame_gap`] reads it.
/// The count starts once the page has drawn for half a second: the first frames after an idle
/// page may be late by themselves, whatever the desk does.
pub async fn watch_frames(desk: &Desk) -> Result<(), Error> {
    desk.client
        .execute(
            "if (!window.__frames) { \
               window.__frames = { last: performance.now(), longest: 0, count: 0, from: 0, late: [] }; \
               const tick = (t) => { const f = window.__frames; const gap = t - f.last; \
                 if (gap > f.longest) f.longest = gap; f.last = t; f.count += 1; \
                 if (gap > 50) f.late.push([Math.round(f.last - gap - f.from), Math.round(gap)]); \
                 requestAnimationFrame(tick); }; \
               requestAnimationFrame(tick); \
             }",
            vec![],
        )
        .await?;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    desk.client
        .execute(
            "const f = window.__frames; f.last = f.from = performance.now(); f.longest = 0; f.count = 0; f.late = [];",
            vec![],
        )
        .await?;
    Ok(())
}

/// The longest gap between two animation frames since [`watch_frames`], in ms, and how many frames
/// were drawn; the gaps over 50 ms are printed, each as the ms after the start it began and its
/// length, to show where the window waited.
pub async fn longest_frame_gap(desk: &Desk) -> Result<(f64, u64), Error> {
    let late = desk.client.execute("return JSON.stringify(window.__frames.late);", vec![]).await?;
    println!("frame gaps over 50 ms (from ms, gap ms): {}", late.as_str().unwrap_or_default());
    let answer = desk
        .client
        .execute(
            "const f = window.__frames; \
             const now = performance.now(); \
             return [Math.max(f.longest, now - f.last), f.count];",
            vec![],
        )
        .await?;
    let pair = answer.as_array().cloned().unwrap_or_default();
    let number = |i: usize| pair.get(i).and_then(serde_json::Value::as_f64).unwrap_or(0.0);
    Ok((number(0), number(1) as u64))
}
