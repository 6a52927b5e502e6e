"""What every `partybot` command needs: the settings, or a clear error."""

from __future__ import annotations

import click

from bot.config import ConfigError, Settings, load_settings


def settings_or_exit() -> Settings:
    """The settings; a malformed one stops the command with the variable named."""
    try:
        return load_settings()
    except ConfigError as exc:
        raise click.ClickException(f"configuration: {exc}") from None
