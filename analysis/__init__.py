"""Incrementality of regional ad flights: estimator, experiment planner, flight finder and a panel simulator."""
