//! Korpus, the desk: the coordinator's window over the case database.

// No console window behind the desk on Windows.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    korpus_desk::run();
}
