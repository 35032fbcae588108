"""Mail: the email channel of the outbox, its templates, and the embedded mail catcher."""
