"""The concierge's services from the seeds with no home before: lost and found (seeds 002,
004), wake-up calls with a butler sent after two unanswered calls (003), and bookable services
with time slots (002)."""
