"""Pure rendering: data in, German Telegram HTML, pictures or files out. No Telegram, no settings."""
