"""Notifications that carry no person data: "Bạn có N việc cần làm trong Tin Cậy" and a link, by e-mail (SMTP)
and optionally SMS, as a daily digest or an immediate alert for high-risk work. Queued in the database and
sent by a separate worker process (`flask --app wsgi notify run`) with retries and backoff."""
