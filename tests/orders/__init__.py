"""Tests of carts, checkout, credits and the order state machine."""
