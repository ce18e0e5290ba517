//! The site's script, WebAssembly and stylesheet: compressed copies for browsers that
//! take them, and kept for good only when their names carry a content hash.

use leptos::config::LeptosOptions;
use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE};

const WASM: &[u8] = b"\0asm the module itself";
const WASM_BR: &[u8] = b"the module, as brotli";

/// Serves a site whose package holds `paydesk.0a1b2c.wasm` and its brotli copy, from
/// a folder that lasts as long as the returned guard.
async fn serve(hash_files: bool) -> (String, tempfile::TempDir) {
    server::tls::use_aws_lc_rs();
    let guard = tempfile::tempdir().unwrap();
    let site = guard.path();
    let pkg = site.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("paydesk.0a1b2c.wasm"), WASM).unwrap();
    std::fs::write(pkg.join("paydesk.0a1b2c.wasm.br"), WASM_BR).unwrap();
    let options = LeptosOptions::builder()
        .output_name("paydesk")
        .site_root(site.to_str().unwrap())
        .hash_files(hash_files)
        .build();
    let app = axum::Router::new().nest_service("/pkg", server::serve::site_package(&options));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/pkg/paydesk.0a1b2c.wasm",
        listener.local_addr().unwrap()
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, guard)
}

#[tokio::test]
async fn a_browser_taking_brotli_gets_the_compressed_copy_kept_for_a_year() {
    let (url, _site) = serve(true).await;
    let answer = reqwest::Client::new()
        .get(&url)
        .header(ACCEPT_ENCODING, "gzip, deflate, br")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()[CONTENT_ENCODING], "br");
    assert_eq!(answer.headers()[CONTENT_TYPE], "application/wasm");
    assert_eq!(
        answer.headers()[CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(&answer.bytes().await.unwrap()[..], WASM_BR);
}

#[tokio::test]
async fn a_browser_without_brotli_gets_the_file_itself() {
    let (url, _site) = serve(true).await;
    let answer = reqwest::get(&url).await.unwrap();
    assert!(answer.headers().get(CONTENT_ENCODING).is_none());
    assert_eq!(&answer.bytes().await.unwrap()[..], WASM);
}

#[tokio::test]
async fn files_without_content_hashes_are_asked_for_again() {
    let (url, _site) = serve(false).await;
    let answer = reqwest::get(&url).await.unwrap();
    assert_eq!(answer.headers()[CACHE_CONTROL], "no-cache");
}
