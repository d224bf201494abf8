"""Imports of orders, rosters and engagement stats: parsing files into records, and storing them."""
