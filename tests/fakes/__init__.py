"""Local fakes of the third parties Hearth talks to (FCM, SMTP, SMS), for tests that run the real SDKs."""
