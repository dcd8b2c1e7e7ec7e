"""Scheduling use cases: open slots, booking, the staff schedule, the waitlist, reminders, calendars."""
