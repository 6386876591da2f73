"""python -m decisions: the joint meeting's commitments from the command line (model/decisions.py)."""
