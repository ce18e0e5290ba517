//! Settings > API keys (admins only): the merchant's client ids and key versions, the
//! upload of a new RSA public key (pasted, or read from a file in the browser), and the
//! platform public key that verifies Paydesk's responses and notifications.

use super::AdminPage;
use crate::api_keys::{ClientKeyView, KeyError};
use crate::components::copy::CopyButton;
use crate::error::AppError;
use crate::locale::use_language;
use crate::url::use_query;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiKeys {
    pub clients: Vec<ClientKeyView>,
    pub platform_pem: String,
    pub platform_version: i32,
}

#[server(endpoint = "admin_api_keys")]
pub async fn admin_api_keys() -> Result<ApiKeys, AppError> {
    use crate::api_keys::{list_in_language, platform_key, to_pem};
    let user = crate::auth::session::require_role(crate::auth::Role::can_administer).await?;
    let pool = crate::state::app_state().pool;
    let platform = platform_key(&pool).await?;
    Ok(ApiKeys {
        clients: list_in_language(&pool, user.merchant_id, user.zone, user.language).await?,
        platform_pem: to_pem("PUBLIC KEY", &platform.public_der),
        platform_version: platform.key_version,
    })
}

/// What the client id menu sends for a new client id.
const NEW_LIVE: &str = "new";
const NEW_SANDBOX: &str = "new-sandbox";

/// Registers `public_key` (PEM text) as the next key version of `client_id`: one of the
/// merchant's own, or a new one that Paydesk names. Admins never type a client id, so
/// the page cannot be used to learn which ids other merchants have.
#[server(endpoint = "admin_add_api_key")]
pub async fn admin_add_api_key(client_id: String, public_key: String) -> Result<(), AppError> {
    use crate::api_keys::ClientChoice;
    use crate::audit::{record, AuditAction, Event};
    let (_, actor) = crate::auth::session::require_actor(crate::auth::Role::can_administer).await?;
    let pool = crate::state::app_state().pool;
    let choice = match client_id.trim() {
        NEW_LIVE => ClientChoice::New { sandbox: false },
        NEW_SANDBOX => ClientChoice::New { sandbox: true },
        own => ClientChoice::Own(own.to_owned()),
    };
    let added = async {
        let der = crate::api_keys::from_pem_or_der(public_key.trim().as_bytes())?;
        let mut tx = pool.begin().await?;
        let (client_id, version) =
            crate::api_keys::register_in(&mut tx, actor.merchant_id, choice, None, &der).await?;
        let event = Event::new(AuditAction::ApiKeyAdded)
            .subject(client_id.as_str())
            .detail(crate::audit::Detail::KeyVersion(version));
        record(&mut *tx, &actor, event).await?;
        tx.commit().await?;
        Ok::<_, KeyError>((client_id, version))
    }
    .await;
    let url = match added {
        Ok((client_id, version)) => crate::url::with_query(
            "/settings/api-keys",
            &[("version", &version.to_string()), ("client_id", &client_id)],
        ),
        Err(e) => crate::url::with_query("/settings/api-keys", &[("error", e.code())]),
    };
    leptos_axum::redirect(&url);
    Ok(())
}

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let title = tr!(use_language(), settings.api_keys);
    view! { <AdminPage title><Keys /></AdminPage> }
}

#[component]
fn Keys() -> impl IntoView {
    let language = use_language();
    let add = ServerAction::<AdminAddApiKey>::new();
    // The outcome of an upload comes back in the URL: render again when it changes.
    let query = use_query();
    let keys = Resource::new_blocking(
        move || (add.version().get(), query.get()),
        |_| admin_api_keys(),
    );
    view! {
        <Suspense fallback=move || view! { <p class="loading" aria-busy="true">{tr!(language, api_keys.loading)}</p> }>
            {move || Suspend::new(async move {
                match keys.await {
                    Ok(keys) => view! {
                        <AddKey add own=own_client_ids(&keys.clients) />
                        <ClientList clients=keys.clients />
                        <PlatformKey pem=keys.platform_pem version=keys.platform_version />
                    }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.message(language)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The merchant's client ids, each once, in the list's order.
fn own_client_ids(clients: &[ClientKeyView]) -> Vec<String> {
    let mut ids: Vec<String> = clients.iter().map(|c| c.client_id.clone()).collect();
    ids.dedup();
    ids
}

#[component]
fn ClientList(clients: Vec<ClientKeyView>) -> impl IntoView {
    let language = use_language();
    view! {
        <section class="card" aria-labelledby="clients-title">
            <h2 id="clients-title">{tr!(language, api_keys.clients_title)}</h2>
            {if clients.is_empty() {
                view! { <p class="empty-state">{tr!(language, api_keys.empty)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap" role="region" aria-labelledby="clients-title" tabindex="0">
                        <table class="data" aria-labelledby="clients-title">
                            <thead>
                                <tr>
                                    <th scope="col">{tr!(language, api_keys.client_id)}</th>
                                    <th scope="col" class="num">{tr!(language, api_keys.key_version)}</th>
                                    <th scope="col">{tr!(language, api_keys.added)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {clients.into_iter().map(|c| view! {
                                    <tr>
                                        <td class="mono">{c.client_id}</td>
                                        <td class="num">{c.key_version}</td>
                                        <td class="num-inline">{c.created}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn AddKey(add: ServerAction<AdminAddApiKey>, own: Vec<String>) -> impl IntoView {
    let language = use_language();
    let query = use_query();
    let q = query.read_untracked();
    let added_to = q.get("client_id").unwrap_or_default();
    let error = q.get("error").and_then(|c| KeyError::from_code(&c));
    let added = q.get("version").map(|version| {
        tr_display!(
            language,
            api_keys.added_notice,
            version,
            client_id = &added_to
        )
        .to_string()
    });
    let client_error = error
        .filter(|e| e.is_about_client_id())
        .map(|e| e.message(language));
    let key_error = error
        .filter(|e| !e.is_about_client_id())
        .map(|e| e.message(language));
    let (client_invalid, key_invalid) = (client_error.is_some(), key_error.is_some());
    let pem = RwSignal::new(String::new());
    // Reading a file needs the WASM; until it has loaded only pasting is offered.
    let can_read_files = RwSignal::new(false);
    Effect::new(move |_| can_read_files.set(true));
    view! {
        <section class="card" aria-labelledby="add-key-title">
            <h2 id="add-key-title">{tr!(language, api_keys.upload_title)}</h2>
            <p class="muted">{tr!(language, api_keys.upload_intro)}</p>
            {added.map(|m| view! { <p class="notice ok" role="status">{m}</p> })}
            <ActionForm action=add>
                <div class="field" class:invalid=client_invalid>
                    <label for="key-client-id">{tr!(language, api_keys.client_id)}</label>
                    <select id="key-client-id" name="client_id">
                        <option value=NEW_SANDBOX>{tr!(language, api_keys.new_sandbox)}</option>
                        <option value=NEW_LIVE>{tr!(language, api_keys.new_live)}</option>
                        {own.into_iter().map(|id| {
                            let selected = id == added_to;
                            let text = tr_display!(language, api_keys.next_version, client_id = &id).to_string();
                            view! { <option value=id selected=selected>{text}</option> }
                        }).collect_view()}
                    </select>
                    {client_error.map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                </div>
                <div class="field" class:invalid=key_invalid>
                    <label for="key-pem">{tr!(language, api_keys.public_key_pem)}</label>
                    <textarea id="key-pem" name="public_key" rows="8" class="mono" required spellcheck="false"
                        placeholder="-----BEGIN PUBLIC KEY-----" prop:value=move || pem.get()
                        on:input=move |ev| pem.set(event_target_value(&ev))></textarea>
                    {key_error.map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                </div>
                <div class="field" hidden=move || !can_read_files.get()>
                    <label for="key-file">{tr!(language, api_keys.read_file)}</label>
                    <input id="key-file" type="file" accept=".pem,.pub,.txt,.key"
                        on:change=move |ev| read_key_file(ev, pem) />
                </div>
                <button type="submit" class="btn primary">{tr!(language, api_keys.upload)}</button>
            </ActionForm>
        </section>
    }
}

/// Puts the chosen file's text into the key field.
fn read_key_file(ev: leptos::ev::Event, pem: RwSignal<String>) {
    #[cfg(feature = "hydrate")]
    {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        if let Some(file) = input.files().and_then(|files| files.get(0)) {
            leptos::task::spawn_local(async move {
                if let Ok(text) = wasm_bindgen_futures::JsFuture::from(file.text()).await {
                    pem.set(text.as_string().unwrap_or_default());
                }
            });
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (ev, pem);
}

#[component]
fn PlatformKey(pem: String, version: i32) -> impl IntoView {
    let language = use_language();
    let copy = view! { <CopyButton value=pem.clone() text=tr!(language, api_keys.copy) /> };
    view! {
        <section class="card" aria-labelledby="platform-title">
            <h2 id="platform-title">{tr!(language, api_keys.platform_title)}</h2>
            <p class="muted">{tr!(language, api_keys.platform_intro, version)}</p>
            // On a phone the key scrolls sideways: as a focusable region the keyboard can
            // scroll it too.
            <pre class="pem mono" role="region" tabindex="0" aria-label=tr!(language, api_keys.platform_pem)>{pem}</pre>
            {copy}
        </section>
    }
}
