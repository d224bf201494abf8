"""Live stores (SPEC §8): Shopify and WooCommerce orders arriving by webhook, stored through the importers' path.

payloads (store JSON -> order records, pure), connections (which store belongs to which workspace), webhooks
(verifying and keeping a delivery), inbox (processing kept deliveries, with retries)."""
