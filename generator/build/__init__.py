"""`jixiao build`: finds the filings, checks them, renders what changed in parallel, writes the
outputs atomically and records them in the manifest; progress for the terminal.

Takes paths and options; gives files under the output folder and a report. The only stage that writes outputs.
"""
