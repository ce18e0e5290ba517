//! The notifyRefund delivery log on a refund's details page, with "Resend now".

use crate::error::AppError;
use crate::notifications::NotificationView;
use leptos::prelude::*;

#[server(endpoint = "notification_log")]
pub async fn notification_log(
    refund_id: String,
) -> Result<Option<Vec<NotificationView>>, AppError> {
    let user = crate::auth::session::require_role(|r| r.can_refund()).await?;
    let pool = crate::state::app_state().pool;
    Ok(
        crate::notifications::store::for_refund(&pool, user.merchant_id, &refund_id, user.zone)
            .await?,
    )
}

#[server(endpoint = "resend_notification")]
pub async fn resend_notification(notification_id: i64, refund_id: String) -> Result<(), AppError> {
    let (_, actor) = crate::auth::session::require_actor(|r| r.can_refund()).await?;
    let pool = crate::state::app_state().pool;
    if !crate::notifications::store::resend(&pool, &actor, notification_id).await? {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::NOT_FOUND);
        }
        return Err(AppError::refused("No such notification of your merchant."));
    }
    leptos_axum::redirect(&super::details_href(&refund_id));
    Ok(())
}

/// The notifications of the refund `transaction_id`, one row per attempt; nothing for
/// other transactions.
#[component]
pub fn NotificationLog(transaction_id: String) -> impl IntoView {
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
                <h2 id="g-notifications">"Refund notifications"</h2>
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
                            <p class="empty-state">"No notifications: Paydesk notifies merchants' servers of asynchronous refunds made through the API."</p>
                        }.into_any()),
                        Ok(Some(log)) => card(
                            log.into_iter()
                                .map(|n| view! { <Notification n refund_id=refund_id.clone() resend /> })
                                .collect_view()
                                .into_any(),
                        ),
                        Err(e) => card(view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any()),
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
    let status = n.status_label();
    let table_id = format!("notification-{}", n.id);
    view! {
        <div class="notification">
            <p>
                <span class="pill">{status}</span> " to " <span class="mono">{n.url.clone()}</span>
                {n.next_attempt_at.clone().map(|at| format!(" · next attempt {at}"))}
            </p>
            <div class="table-wrap" role="region" aria-label=format!("Delivery attempts to {}, scrollable", n.url) tabindex="0">
            <table class="data" id=table_id.clone() aria-label=format!("Delivery attempts to {}", n.url)>
                <thead>
                    <tr>
                        <th scope="col" class="num">"Attempt"</th>
                        <th scope="col">"Time"</th>
                        <th scope="col" class="num">"HTTP status"</th>
                        <th scope="col" class="num">"Latency"</th>
                        <th scope="col">"Error"</th>
                    </tr>
                </thead>
                <tbody>
                    {n.attempts.into_iter().map(|a| view! {
                        <tr>
                            <td class="num">{a.attempt_no}</td>
                            <td>{a.attempted_at}</td>
                            <td class="num">{a.http_status.map_or("—".to_owned(), |s| s.to_string())}</td>
                            <td class="num">{format!("{} ms", a.latency_ms)}</td>
                            <td>{a.error.unwrap_or_else(|| "—".into())}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            </div>
            <ActionForm action=resend>
                <input type="hidden" name="notification_id" value=n.id />
                <input type="hidden" name="refund_id" value=refund_id />
                <button type="submit" class="btn small" aria-describedby=table_id disabled=move || resend.pending().get()>"Resend now"</button>
            </ActionForm>
        </div>
    }
}
