//! The notifyRefund delivery log on a refund's details page, with "Resend now".

use crate::error::AppError;
use crate::locale::use_language;
use crate::notifications::NotificationView;
use leptos::prelude::*;

#[server(endpoint = "notification_log")]
pub async fn notification_log(
    refund_id: String,
) -> Result<Option<Vec<NotificationView>>, AppError> {
    let user = crate::auth::session::require_role(|r| r.can_refund()).await?;
    let pool = crate::state::app_state().pool;
    Ok(crate::notifications::store::for_refund(
        &pool,
        user.merchant_id,
        &refund_id,
        user.zone,
        user.language,
    )
    .await?)
}

#[server(endpoint = "resend_notification")]
pub async fn resend_notification(notification_id: i64, refund_id: String) -> Result<(), AppError> {
    let (user, actor) = crate::auth::session::require_actor(|r| r.can_refund()).await?;
    let pool = crate::state::app_state().pool;
    if !crate::notifications::store::resend(&pool, &actor, notification_id).await? {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::NOT_FOUND);
        }
        return Err(AppError::refused(crate::i18n::td_string!(
            user.language.locale(),
            notifications.no_such
        )));
    }
    leptos_axum::redirect(&super::details_href(&refund_id));
    Ok(())
}

/// The notifications of the refund `transaction_id`, one row per attempt; nothing for
/// other transactions.
#[component]
pub fn NotificationLog(transaction_id: String) -> impl IntoView {
    let language = use_language();
    let refund_id = transaction_id;
    let resend = ServerAction::<ResendNotification>::new();
    let id = refund_id.clone();
    let log = Resource::new_blocking(
        move || (id.clone(), resend.version().get()),
        |(id, _)| notification_log(id),
    );
    let card = move |body: AnyView| {
        view! {
            <section class="card" aria-labelledby="g-notifications">
                <h2 id="g-notifications">{tr!(language, notifications.title)}</h2>
                {body}
            </section>
        }
        .into_any()
    };
    view! {
        <Transition fallback=|| ()>
            {move || {
                let refund_id = refund_id.clone();
                Suspend::new(async move {
                    match log.await {
                        Ok(None) => ().into_any(),
                        Ok(Some(log)) if log.is_empty() => card(view! {
                            <p class="empty-state">{tr!(language, notifications.empty)}</p>
                        }.into_any()),
                        Ok(Some(log)) => card(
                            log.into_iter()
                                .map(|n| view! { <Notification n refund_id=refund_id.clone() resend /> })
                                .collect_view()
                                .into_any(),
                        ),
                        Err(e) => card(view! { <p class="form-error" role="alert">{e.message(language)}</p> }.into_any()),
                    }
                })
            }}
        </Transition>
    }
}

#[component]
fn Notification(
    n: NotificationView,
    refund_id: String,
    resend: ServerAction<ResendNotification>,
) -> impl IntoView {
    let language = use_language();
    let status = n.status.label_in(use_language());
    let scrollable = tr_display!(
        language,
        notifications.attempts_scrollable,
        url = n.url.clone()
    )
    .to_string();
    let attempts = tr_display!(language, notifications.attempts, url = n.url.clone()).to_string();
    let table_id = format!("notification-{}", n.id);
    view! {
        <div class="notification">
            <p>
                <span class="pill">{status}</span> " " {tr!(language, notifications.to)} " " <span class="mono">{n.url.clone()}</span>
                {n.next_attempt_at.clone().map(|at| format!(" · {}", tr_display!(language, notifications.next_attempt, at)))}
            </p>
            <div class="table-wrap" role="region" aria-label=scrollable tabindex="0">
            <table class="data" id=table_id.clone() aria-label=attempts>
                <thead>
                    <tr>
                        <th scope="col" class="num">{tr!(language, notifications.attempt)}</th>
                        <th scope="col">{tr!(language, notifications.time)}</th>
                        <th scope="col" class="num">{tr!(language, notifications.http_status)}</th>
                        <th scope="col" class="num">{tr!(language, notifications.latency)}</th>
                        <th scope="col">{tr!(language, notifications.error)}</th>
                    </tr>
                </thead>
                <tbody>
                    {n.attempts.into_iter().map(|a| view! {
                        <tr>
                            <td class="num">{a.attempt_no}</td>
                            <td>{a.attempted_at}</td>
                            <td class="num">{a.http_status.map_or("—".to_owned(), |s| s.to_string())}</td>
                            <td class="num">{tr_display!(language, notifications.latency_ms, ms = a.latency_ms).to_string()}</td>
                            <td>{a.error.unwrap_or_else(|| "—".into())}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            </div>
            <ActionForm action=resend>
                <input type="hidden" name="notification_id" value=n.id />
                <input type="hidden" name="refund_id" value=refund_id />
                <button type="submit" class="btn small" aria-describedby=table_id disabled=move || resend.pending().get()>{tr!(language, notifications.resend)}</button>
            </ActionForm>
        </div>
    }
}
