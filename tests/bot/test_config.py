"""Settings from the environment and `.env`: defaults, validation messages, secrets never shown."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.errors import ConfigError


def test_defaults_match_the_spec(tmp_path):
    settings = Settings.from_env({}, dotenv=tmp_path / ".env")
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.database_url == "sqlite:///roi.db"
    assert (settings.timezone, settings.alert_time, settings.port) == ("UTC", "10:00", 3000)
    assert settings.admins == frozenset()
    assert settings.chart_workers == 2
    assert not settings.oauth_enabled


def test_dotenv_is_read_and_the_environment_wins(tmp_path):
    (tmp_path / ".env").write_text("ROI_TIMEZONE=Europe/Berlin\nPORT=4000\nROI_ADMINS=U1AAAAAA, U2BBBBBB\n")
    settings = Settings.from_env({"PORT": "5000"}, dotenv=tmp_path / ".env")
    assert settings.timezone == "Europe/Berlin"
    assert settings.port == 5000
    assert Settings.from_env({"ROI_CHART_WORKERS": "0"}, dotenv=tmp_path / ".env").chart_workers == 0
    assert settings.admins == frozenset({"U1AAAAAA", "U2BBBBBB"})


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"ROI_TIMEZONE": "Mars/Olympus"}, "ROI_TIMEZONE"),
        ({"ROI_ALERT_TIME": "25:00"}, "ROI_ALERT_TIME"),
        ({"ROI_ALERT_TIME": "10am"}, "ROI_ALERT_TIME"),
        ({"PORT": "http"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"ROI_CHART_WORKERS": "-1"}, "ROI_CHART_WORKERS"),
        ({"ROI_CHART_WORKERS": "17"}, "ROI_CHART_WORKERS"),
        ({"ROI_CHART_WORKERS": "two"}, "ROI_CHART_WORKERS"),
        ({"ROI_ADMINS": "ana,U1AAAAAA"}, "ROI_ADMINS"),
        ({"SLACK_BOT_TOKEN": "xoxp-user-token"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_APP_TOKEN": "xoxb-wrong-kind"}, "SLACK_APP_TOKEN"),
        ({"SLACK_API_URL": "slack.com/api"}, "SLACK_API_URL"),
        ({"SLACK_CLIENT_ID": "123.456"}, "SLACK_CLIENT_SECRET"),
    ],
)
def test_malformed_settings_are_refused_naming_the_variable(tmp_path, env, named):
    with pytest.raises(ConfigError) as err:
        Settings.from_env(env, dotenv=tmp_path / ".env")
    assert named in err.value.message


def test_require_names_every_missing_variable(tmp_path):
    settings = Settings.from_env({}, dotenv=tmp_path / ".env")
    with pytest.raises(ConfigError) as err:
        settings.require("SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN")
    assert "SLACK_SIGNING_SECRET" in err.value.message and "SLACK_BOT_TOKEN" in err.value.message


def test_secrets_never_appear_in_repr_or_str(tmp_path):
    settings = Settings.from_env(
        {"SLACK_BOT_TOKEN": "xoxb-very-secret-1", "SLACK_SIGNING_SECRET": "sign-secret-2", "SLACK_APP_TOKEN": "xapp-secret-3"},
        dotenv=tmp_path / ".env",
    )
    for shown in (repr(settings), str(settings), f"{settings}"):
        for secret in ("xoxb-very-secret-1", "sign-secret-2", "xapp-secret-3"):
            assert secret not in shown
    assert set(settings.secrets()) == {"xoxb-very-secret-1", "sign-secret-2", "xapp-secret-3"}


def test_the_store_variables_are_read_with_their_defaults(tmp_path):
    env = {"SHOPIFY_SHOP": "Roi-Test.myshopify.com", "SHOPIFY_CLIENT_ID": "client-id",
           "SHOPIFY_CLIENT_SECRET": "shpss-2",
           "WOOCOMMERCE_URL": "https://shop.example", "WOOCOMMERCE_KEY": "ck_3", "WOOCOMMERCE_SECRET": "cs_4",
           "WOOCOMMERCE_WEBHOOK_SECRET": "wh-5"}
    settings = Settings.from_env(env, dotenv=tmp_path / ".env")
    assert settings.shopify_shop == "roi-test.myshopify.com"
    assert settings.shopify_base_url == "https://roi-test.myshopify.com"
    assert (settings.shopify_api_version, settings.sync_minutes) == ("2025-10", 60)
    assert Settings.from_env({"ROI_SYNC_MINUTES": "0"}, dotenv=tmp_path / ".env").sync_minutes == 0
    for shown in (repr(settings), str(settings)):
        assert not any(secret in shown for secret in ("shpss-2", "ck_3", "cs_4", "wh-5"))
    assert {"shpss-2", "ck_3", "cs_4", "wh-5"} <= set(settings.secrets())


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"SHOPIFY_SHOP": "https://x.myshopify.com/admin", "SHOPIFY_CLIENT_SECRET": "s"}, "SHOPIFY_SHOP"),
        ({"SHOPIFY_SHOP": "x.myshopify.com"}, "SHOPIFY_CLIENT_SECRET"),
        ({"SHOPIFY_CLIENT_SECRET": "s"}, "SHOPIFY_SHOP"),
        ({"SHOPIFY_SHOP": "x.myshopify.com", "SHOPIFY_CLIENT_ID": "id", "SHOPIFY_ACCESS_TOKEN": "t"},
         "SHOPIFY_CLIENT_SECRET"),
        ({"SHOPIFY_SHOP": "x.myshopify.com", "SHOPIFY_ACCESS_TOKEN": "t", "SHOPIFY_API_URL": "ftp://x"},
         "SHOPIFY_API_URL"),
        ({"SHOPIFY_API_VERSION": "2025-11"}, "SHOPIFY_API_VERSION"),
        ({"WOOCOMMERCE_URL": "shop.example"}, "WOOCOMMERCE_URL"),
        ({"WOOCOMMERCE_WEBHOOK_SECRET": "w"}, "WOOCOMMERCE_URL"),
        ({"WOOCOMMERCE_URL": "https://shop.example", "WOOCOMMERCE_KEY": "ck"}, "WOOCOMMERCE_SECRET"),
        ({"ROI_SYNC_MINUTES": "-5"}, "ROI_SYNC_MINUTES"),
        ({"ROI_SYNC_MINUTES": "hourly"}, "ROI_SYNC_MINUTES"),
    ],
)
def test_a_malformed_store_variable_is_named(tmp_path, env, named):
    with pytest.raises(ConfigError, match=named):
        Settings.from_env(env, dotenv=tmp_path / ".env")
