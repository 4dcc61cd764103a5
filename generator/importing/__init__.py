"""`jixiao import`: Word documents (.doc through LibreOffice) read as tables, each form in them
recognised as one of the form packs (by its printed texts, labels and columns) and read field by
field with that pack, and each written as a filing YAML file.

package: the .docx zip opened with limits; docx_read: the document's paragraphs and rows, streamed;
labels: a pack's words; reader: one form read with one pack; recognise: where the forms are and which
pack fits each; to_yaml; run: files in, files out.

Takes documents; gives filing files and the list of what could not be placed. Never loses a cell silently.
"""
