//! How every page renders on the server: whole, once, and without waiting on anything
//! but its own data (docs/ARCHITECTURE.md, "A page request").

#[allow(dead_code)]
mod support;

use sqlx::PgPool;
use support::{merchant_with_user, TestApp, PASSWORD};

/// The SQL statements each request ran, by its request id, as sqlx reports them.
mod statements {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    use tracing::field::{Field, Visit};
    use tracing_subscriber::filter::Targets;
    use tracing_subscriber::layer::{Context, SubscriberExt};
    use tracing_subscriber::registry::LookupSpan;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::Layer;

    static SEEN: OnceLock<Mutex<HashMap<String, Vec<String>>>> = OnceLock::new();

    struct RequestId(String);

    /// The value of the field `.0`, once visited.
    struct Find(&'static str, Option<String>);

    impl Visit for Find {
        fn record_str(&mut self, field: &Field, value: &str) {
            if field.name() == self.0 {
                self.1 = Some(value.to_owned());
            }
        }
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            if field.name() == self.0 {
                self.1 = Some(format!("{value:?}"));
            }
        }
    }

    struct Statements;

    impl<S: tracing::Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Statements {
        fn on_new_span(
            &self,
            attrs: &tracing::span::Attributes<'_>,
            id: &tracing::span::Id,
            ctx: Context<'_, S>,
        ) {
            let mut find = Find("request_id", None);
            attrs.record(&mut find);
            if let (Some(request), Some(span)) = (find.1, ctx.span(id)) {
                span.extensions_mut().insert(RequestId(request));
            }
        }

        fn on_event(&self, event: &tracing::Event<'_>, ctx: Context<'_, S>) {
            if event.metadata().target() != "sqlx::query" {
                return;
            }
            let request = ctx.event_scope(event).and_then(|scope| {
                scope
                    .into_iter()
                    .find_map(|s| s.extensions().get::<RequestId>().map(|r| r.0.clone()))
            });
            if let Some(request) = request {
                let mut find = Find("db.statement", None);
                event.record(&mut find);
                let statement = find.1.unwrap_or_default();
                let mut seen = SEEN.get_or_init(Default::default).lock().unwrap();
                seen.entry(request).or_default().push(statement);
            }
        }
    }

    /// Starts keeping the statements of every request of this process.
    pub fn keep() {
        let wanted = Targets::new()
            .with_target("sqlx::query", tracing::Level::DEBUG)
            .with_target("server", tracing::Level::INFO);
        let _ = tracing_subscriber::registry()
            .with(Statements.with_filter(wanted))
            .try_init();
    }

    /// The statements of the request `id`, in order.
    pub fn of(id: &str) -> Vec<String> {
        let seen = SEEN.get_or_init(Default::default).lock().unwrap();
        seen.get(id).cloned().unwrap_or_default()
    }
}

/// On the server, a `<Suspense>` builds its children more than once; a page built
/// inside one started loading its data each time. Each page reads each thing once.
#[sqlx::test(migrations = "../migrations")]
async fn each_page_reads_its_data_once(pool: PgPool) {
    statements::keep();
    merchant_with_user(&pool, "Lotus Tea House", "ana@lotus.example", "admin").await;
    let app = TestApp::spawn(pool.clone()).await;
    let browser = app.browser();
    app.sign_in(&browser, "ana@lotus.example", PASSWORD).await;
    for path in [
        "/",
        "/transactions",
        "/reports",
        "/settings",
        "/settings/users",
        "/settings/api-keys",
        "/settings/audit",
    ] {
        let page = browser.get(app.url(path)).send().await.unwrap();
        assert_eq!(page.status(), 200, "{path}");
        let id = page.headers()["x-request-id"].to_str().unwrap().to_owned();
        assert!(page.text().await.unwrap().contains("<h1"), "{path}");
        let ran = statements::of(&id);
        let mut twice: Vec<&String> = ran
            .iter()
            .filter(|s| ran.iter().filter(|t| t == s).count() > 1)
            .collect();
        twice.dedup();
        assert!(twice.is_empty(), "{path} ran more than once: {twice:#?}");
    }
    let overview = statements::of(
        browser.get(app.url("/")).send().await.unwrap().headers()["x-request-id"]
            .to_str()
            .unwrap(),
    );
    assert!(
        overview.iter().any(|s| s.contains("balances")),
        "the statements are seen: {overview:#?}"
    );
}

/// Starting an app works out its page routes by rendering the app with data loading
/// switched off for the whole process. Tests start many apps in one process: a page
/// rendering while another app starts must still get its data and finish.
#[sqlx::test(migrations = "../migrations")]
async fn pages_finish_while_other_apps_start_in_the_same_process(pool: PgPool) {
    merchant_with_user(&pool, "Lotus Tea House", "ana@lotus.example", "viewer").await;
    let app = TestApp::spawn(pool.clone()).await;
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(20))
        .build()
        .unwrap();
    app.sign_in(&browser, "ana@lotus.example", PASSWORD).await;

    let starting = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let starter = {
        let starting = starting.clone();
        let options = (*pool.connect_options()).clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let pool = PgPool::connect_with(options).await.unwrap();
                let state = app::state::AppState::new(pool, Default::default());
                let mut started = 0;
                while starting.load(std::sync::atomic::Ordering::Relaxed) {
                    let router = server::serve::local_router(state.clone(), Default::default());
                    drop(router.await.unwrap());
                    started += 1;
                }
                started
            })
        })
    };
    for n in 0..30 {
        let page = browser.get(app.url("/")).send().await;
        let page = page.and_then(|p| p.error_for_status());
        let text = match page {
            Ok(page) => page.text().await.unwrap(),
            Err(e) => panic!("page {n} did not finish: {e}"),
        };
        assert!(text.contains("<h1>Overview</h1>"), "page {n}: {text}");
    }
    starting.store(false, std::sync::atomic::Ordering::Relaxed);
    assert!(starter.join().unwrap() > 1, "other apps started meanwhile");
}
