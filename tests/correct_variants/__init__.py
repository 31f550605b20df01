"""Right answers written differently, per lesson (VARIANTS in <assignment>.py): each must keep
full marks on the test cells it `keeps` (tests/test_lessons.py::test_correct_variant_keeps_full_marks)."""
