"""Patient financing offers: the practice's settings, a pure payment calculator, what a patient is shown."""
