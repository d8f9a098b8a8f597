"""Second-person approval: a change that could open case content to someone takes effect only when a second
person, who reads cases in that scope and is not the requester, approves it with a fresh second factor."""
