// `sqlx::migrate!` builds the migrations into the binary. Cargo does not know that it
// reads them, so without this a new migration file would not rebuild the server, and an
// existing checkout's `scripts/run.sh` would serve without applying it.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
