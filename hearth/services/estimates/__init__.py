"""Price estimates: the fee schedule, a patient's coverage, and what a visit will likely cost her.

engine.py is the pure math; fee_schedule.py and csv_import.py the practice's prices (admin);
coverage.py the patient's insurance or self-pay choice; pricing.py turns a visit type or chosen
services into engine input; saved.py the use cases that estimate, save and show.
"""
