"""marshmallow schemas, shared by portal forms and the API."""
