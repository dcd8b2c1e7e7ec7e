"""Good Faith Estimates (No Surprises Act, 45 CFR 149.610) for uninsured and self-pay patients."""
