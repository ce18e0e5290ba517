//! Whether a refund is final when it is answered or waits for the acquirer
//! (docs/RULES.md, "Synchronous or asynchronous").

use crate::refunds::types::RefundStatus;
use crate::transactions::kind::TransactionStatus;

/// `payment_methods.refund_mode`: how the method's refunds are answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "UPPERCASE")]
pub(super) enum RefundMode {
    Sync,
    Async,
}

/// When a refund of a payment is final.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Timing {
    /// The answer is final: the refund succeeded.
    Synchronous,
    /// The answer is REFUND_IN_PROCESS; the acquirer decides later.
    Asynchronous,
}

impl Timing {
    /// Alipay+ wallets refund synchronously by their method; cards do through acquirers
    /// whose card refunds do (2C2P); everything else waits for the acquirer.
    pub(super) fn of(mode: RefundMode, is_card: bool, acquirer_sync_card_refunds: bool) -> Timing {
        if mode == RefundMode::Sync || (is_card && acquirer_sync_card_refunds) {
            Timing::Synchronous
        } else {
            Timing::Asynchronous
        }
    }

    pub(super) fn is_sync(self) -> bool {
        self == Timing::Synchronous
    }

    /// The status a new refund's transaction starts in.
    pub(super) fn transaction_status(self) -> TransactionStatus {
        match self {
            Timing::Synchronous => TransactionStatus::Success,
            Timing::Asynchronous => TransactionStatus::Processing,
        }
    }

    pub(super) fn refund_status(self) -> RefundStatus {
        RefundStatus::from_transaction_status(self.transaction_status())
    }

    /// The result code and message a new refund is answered with.
    pub(super) fn result(self) -> (&'static str, &'static str) {
        match self {
            Timing::Synchronous => ("SUCCESS", "Success"),
            Timing::Asynchronous => ("REFUND_IN_PROCESS", "The refund is being processed."),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_method_decides_unless_a_card_acquirer_refunds_at_once() {
        use RefundMode::{Async, Sync};
        use Timing::{Asynchronous, Synchronous};
        // (mode, is_card, the acquirer's card refunds are synchronous) → timing
        let cases = [
            ((Sync, false, false), Synchronous),   // an Alipay+ wallet
            ((Async, false, false), Asynchronous), // PayPay
            ((Async, false, true), Asynchronous),  // a wallet through 2C2P: not a card
            ((Async, true, true), Synchronous),    // Visa through 2C2P HK
            ((Async, true, false), Asynchronous),  // Visa through another acquirer
            ((Sync, true, false), Synchronous),
        ];
        for ((mode, card, acquirer), timing) in cases {
            assert_eq!(
                Timing::of(mode, card, acquirer),
                timing,
                "{mode:?} {card} {acquirer}"
            );
        }
    }

    #[test]
    fn a_synchronous_refund_is_answered_final() {
        let t = Timing::Synchronous;
        assert!(t.is_sync());
        assert_eq!(t.transaction_status(), TransactionStatus::Success);
        assert_eq!(t.refund_status(), RefundStatus::Success);
        assert_eq!(t.result().0, "SUCCESS");
    }

    #[test]
    fn an_asynchronous_refund_is_answered_in_process() {
        let t = Timing::Asynchronous;
        assert!(!t.is_sync());
        assert_eq!(t.transaction_status(), TransactionStatus::Processing);
        assert_eq!(t.refund_status(), RefundStatus::Processing);
        assert_eq!(t.result().0, "REFUND_IN_PROCESS");
    }
}
