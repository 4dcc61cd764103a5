"""One filing: its schema validated with located Chinese messages, the model dataclasses built from
its YAML, its indicator values parsed, and the modeline that heads its file.

Takes a loaded document and its form; gives a Filing. Never judges it (review/) or prints it (render/).
"""
