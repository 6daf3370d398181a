"""Orders: carts, checkout with Telegram Payments, credits and vouchers, the order state machine,
fulfilment and tracking."""
