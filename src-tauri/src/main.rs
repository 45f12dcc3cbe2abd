//! Korpus, the desk: the coordinator's window over the case database.

// No console window behind the desk on Windows.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    #[cfg(target_os = "linux")]
    draw_without_compositing();
    korpus_desk::run();
}

/// On Linux, WebKitGTK draws the desk's page without accelerated compositing, unless the
/// environment says otherwise. The desk is forms and tables, with no 3D transforms or WebGL to gain
/// from compositing, and on laptops without a usable GPU (and under Xvfb) it runs on Mesa's
/// software rasteriser: its tile buffers took about 75 MB in WebKit's web process, the PSS of the
/// desk's process tree was 347 MB with it and 243 MB without, and while the desk worked the window
/// drew at most 29 frames in 0.8 s (`bench/desk`). WebView2 on Windows decides this by itself.
///
/// WebKitGTK reads `WEBKIT_DISABLE_COMPOSITING_MODE` when it starts, before any hook of Tauri's
/// runs (its `hardware-acceleration-policy` setting, set on the made web view, switches an already
/// started page and leaves some 7 MB behind). Setting the variable in this process would need
/// `unsafe`, which the workspace forbids, so the desk starts itself again with it (`exec`: the same
/// process, arguments and id). Where that fails, the desk runs on as it is.
#[cfg(target_os = "linux")]
fn draw_without_compositing() {
    use std::os::unix::process::CommandExt;
    const NAME: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
    if std::env::var_os(NAME).is_some() {
        return;
    }
    let mut args = std::env::args_os();
    let (Some(arg0), Ok(exe)) = (args.next(), std::env::current_exe()) else {
        return;
    };
    let failed = std::process::Command::new(exe).arg0(arg0).args(args).env(NAME, "1").exec();
    eprintln!("Korpus draws with compositing: it could not start itself again ({failed})");
}
