//! The browser half of Paydesk: hydrates the server-rendered pages.

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
