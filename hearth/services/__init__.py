"""Use cases: one module per capability, one function per use case, shared by portal, API and jobs."""
