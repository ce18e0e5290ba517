//! The browser half of Paydesk: hydrates the server-rendered pages.

// Leptos view types nest deeply (the signed-in frame alone is ~130 levels); the
// release build computes their layouts and needs more than the default 128.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Asynchronous hydration: lazy routes (`Lazy<…>` in app::App) load their WebAssembly
    // chunk before their part of the page hydrates.
    wasm_bindgen_futures::spawn_local(async {
        let body = leptos::prelude::document()
            .body()
            .expect("the page has a body");
        leptos::mount::hydrate_from_async(body.clone(), app::App)
            .await
            .forget();
        // Browser tests wait for this mark: a click before hydration would be lost.
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
