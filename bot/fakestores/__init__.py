"""Local stand-ins of the stores the bot reads orders from: Shopify (`shopify.FakeShopify`) and WooCommerce
(`woocommerce.FakeWooCommerce`), real HTTP servers on 127.0.0.1 like `bot.fakeslack`, for tests, benchmarks, the
demo and the console. Their answers follow ../shared/stores/ (facts and real sample payloads), not our client."""
