"""Case conferences: a dated meeting about one case, the services present, what was decided, and actions with
an owner and a due date that join the owner's work queue."""
