"""Modules that put the features together for one person: the home page's next action, the data download,
closing an account and erasure. They sit above plans, checkins and the therapist side and read all of them;
the core (recovery's account, couple, access and calendar modules) never imports them."""
