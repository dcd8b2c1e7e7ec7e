"""Hearth: the domain core shared by the portal and the /api/v1 layer."""
