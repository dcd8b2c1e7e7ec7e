"""Background jobs: a Celery app on REDIS_URL whose tasks call services; the outbox holds the schedule."""
