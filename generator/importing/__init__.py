"""`jixiao import`: Word documents (.doc through LibreOffice) read as tables, the forms in them
recognised by their labels, and each written as a filing YAML file.

Takes documents; gives filing files and the list of what could not be placed. Never loses a cell silently.
"""
