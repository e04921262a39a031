"""The front desk: held items and pickup (intake, release_rules, pickup_codes, reminders,
reconciliation are pure; held_items and custody are the services), models and schemas."""
