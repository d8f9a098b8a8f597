"""The service directory: who receives referrals now — services with a type, a runner, an area, a validity
period and a successor when they close (legal-2026.md §4)."""
