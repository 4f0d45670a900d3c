"""Workshop sessions, cycles, bookings, attendance, breaches, feedback, calendar and reminders."""
