"""The notification texts, English and Spanish, by area; hearth.notify.templates joins them into TEMPLATES."""
