"""The organization-scale harness's verdicts: a goal is judged only on runs the fake answered in
full."""

import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_scale  # noqa: E402


class VerdictTest(unittest.TestCase):
    def test_a_figure_within_its_goal_is_met_and_one_over_it_is_not(self):
        self.assertEqual(bench_scale.verdict(2.0, 2.0), "met")
        self.assertEqual(bench_scale.verdict(2.001, 2.0), "NOT met")

    def test_runs_the_fake_could_not_answer_in_full_get_no_verdict(self):
        # A run whose requests were not recorded did less than the account asks for: its lower
        # figure must not read as a goal met.
        said = bench_scale.verdict(1.0, 2.0, missed=33)
        self.assertTrue(said.startswith("cannot tell: 33 call(s)"), said)
        self.assertNotIn("met", said)

    def test_a_ratio_to_a_figure_saved_from_such_runs_gets_no_verdict_either(self):
        with tempfile.TemporaryDirectory() as folder:
            saved = os.path.join(folder, "peak")
            with open(saved, "w") as f:
                f.write("100.0\n")
            self.assertIn("ratio 5.000, met", bench_scale.mem_ratio(f"10:{saved}", 500.0, 0))
            self.assertIn("ratio 11.000, NOT met", bench_scale.mem_ratio(f"10:{saved}", 1100.0, 0))
            with open(saved, "w") as f:
                f.write("missed\n")
            said = bench_scale.mem_ratio(f"10:{saved}", 500.0, 0)
            self.assertIn("cannot tell", said)
            self.assertNotIn("met", said)


if __name__ == "__main__":
    unittest.main()
