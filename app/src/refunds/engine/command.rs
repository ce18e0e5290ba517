//! What a refund request asks for, and who asks.

use uuid::Uuid;

use crate::audit::Actor;
use crate::refunds::types::{CurrencyCode, MinorAmount, RefundRequestId, TransactionRef};

/// Who asked for the refund.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefundSource {
    /// The open API, with the client id whose key signed the request.
    Api { client_id: String },
    /// A signed-in user, who has given their payment password.
    Dashboard(Actor),
}

impl RefundSource {
    /// Who the audit log names for this refund.
    pub(super) fn actor(&self, merchant_id: Uuid) -> Actor {
        match self {
            RefundSource::Api { client_id } => Actor::api_client(merchant_id, client_id),
            RefundSource::Dashboard(actor) => actor.clone(),
        }
    }

    /// `refund_requests.source`.
    pub fn as_str(&self) -> &'static str {
        match self {
            RefundSource::Api { .. } => "API",
            RefundSource::Dashboard(_) => "DASHBOARD",
        }
    }

    /// The client id that signed an API request; notifications are signed for it.
    pub(super) fn client_id(&self) -> Option<&str> {
        match self {
            RefundSource::Api { client_id } => Some(client_id),
            RefundSource::Dashboard(_) => None,
        }
    }
}

/// A refund request, already parsed.
#[derive(Clone, Debug)]
pub struct RefundCommand {
    pub refund_request_id: RefundRequestId,
    /// paymentId: a payment's transaction ID, or a capture's (refunds belong to the
    /// payment either way).
    pub payment_id: TransactionRef,
    pub currency: CurrencyCode,
    pub amount: MinorAmount,
    pub reason: Option<String>,
    pub notify_url: Option<String>,
    pub source: RefundSource,
}
