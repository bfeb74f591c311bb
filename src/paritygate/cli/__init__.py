"""CLI layer: click commands that wire options to the library. Nothing else imports it."""
